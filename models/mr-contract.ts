/**
 * mr-contract: what registering a memory region promises, as Caitlin Bestler put it in the 2005
 * openib-general thread (domain/seed-thread.txt), stated as an abstract model that the designs of
 * page-migration, device-removal and mr-lifecycle are checked to refine (their `MrContract` column
 * in the matrix):
 *
 * a) an advertised R-Key is honoured on demand (a remote write lands where the application reads
 *    the page, and is acknowledged) or its revocation is announced: an access fails only through a
 *    key that the application revoked, or that the kernel withdrew and told the application of in
 *    the same step at the latest, or with a connection break that both sides hear of (`Terminate`);
 * b) the device translates the R-Key in a manner consistent with the kernel's map: `deviceMap` has
 *    the one value `consistent`, so a state whose device translates a page through a frame the
 *    kernel does not map it to is no state of the contract.
 *
 * Once the application has revoked the key it may hand the peer a new one (`Reissue`: a new
 * registration, a window bound again), a fresh promise; a write posted through the old key is
 * answered before, so it never lands under the new one.
 *
 * A stall (RNR, a suspension, an ODP fault) is a stutter: the contract does not say when a write
 * lands, only what may happen to it. A design keeps the contract without keeping every promise of
 * its own model: `eliminate` gives up RKeyHonoured and keeps the contract, since it announces the
 * withdrawal.
 */
import { defineModel, param } from '../checker/index.js'
import { build } from './specs/mr-contract.js'
import mrContractProperties from '../properties/mr-contract.js'

export * from './specs/mr-contract.js'

export default defineModel({
  name: 'mr-contract',
  summary: "What registering an MR promises (Bestler, 2005): the abstract model the RDMA designs refine.",
  params: {
    pages: param.int(1, { min: 1, max: 5 }, 'virtual pages in the MR'),
    writes: param.int(1, { min: 0, max: 5 }, 'how many RDMA Writes the peer may post'),
  },
  build,
  properties: mrContractProperties,
})
