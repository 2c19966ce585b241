/**
 * The spec of mr-contract (models/mr-contract.ts): its state and actions, and the helpers the
 * designs' refinement mappings share, kept apart so that the properties and the designs import
 * them without a circle.
 */
import { t, vars, type SpecState } from '../../checker/index.js'

export interface MrContractParams {
  readonly pages: number
  readonly writes: number
}

export const build = ({ pages, writes }: MrContractParams) => {
  const Page = t.index(pages, { name: 'Page' })
  const Version = t.int(0, writes)
  const { spec, action } = vars({
    /**
     * `revoked`: the application deregistered the MR (or closed what held it); `withdrawn`: the
     * kernel took the MR away (eliminated it, or the device went) while the application held it.
     */
    key: t.enum('valid', 'revoked', 'withdrawn'),
    /**
     * The application knows that a promise no longer holds: it was told (an async event, an error
     * return), or it gave the MR up itself.
     */
    told: t.bool(),
    /**
     * The device's translation agrees with the kernel's map. It has one value: a design whose
     * device translates a page through another frame than the kernel maps it to has no state here.
     */
    deviceMap: t.enum('consistent'),
    /** The peer's one outstanding RDMA Write, to `target`, the `written`-th it posted. */
    peer: t.enum('idle', 'waiting', 'failed'),
    target: t.option(Page),
    written: Version,
    /** The last write acknowledged to the peer, per page. */
    acked: t.array(Page, Version),
    /** What the application reads at each page: the version of the last write placed there. */
    mem: t.array(Page, Version),
  })
  return spec({
    name: 'mr-contract',
    constants: { pages, writes },
    init: {
      key: 'valid',
      told: false,
      deviceMap: 'consistent',
      peer: 'idle',
      target: null,
      written: 0,
      acked: Array.from({ length: pages }, () => 0),
      mem: Array.from({ length: pages }, () => 0),
    },
    checkDeadlock: false,
    actions: {
      /** The peer posts an RDMA Write through the advertised R-Key. */
      Post: action({ page: Page }, {
        guard: (s) => s.peer === 'idle' && s.written < writes,
        effect: (d, { page }) => {
          d.written += 1
          d.target = page
          d.peer = 'waiting'
        },
        actor: 'peer',
      }),
      /** Honoured: the data lands where the application reads the page, and the peer gets its ACK. */
      Land: action({
        guard: (s) => s.peer === 'waiting' && s.key === 'valid',
        effect: (d) => {
          d.mem[d.target!] = d.written
          d.acked[d.target!] = d.written
          d.peer = 'idle'
          d.target = null
        },
        actor: 'device',
      }),
      /** Refused: an access through a key that is no longer valid fails. */
      Refuse: action({
        guard: (s) => s.peer === 'waiting' && s.key !== 'valid',
        effect: (d) => void (d.peer = 'failed'),
        actor: 'device',
      }),
      /** The connection breaks under a valid key, and both sides hear of it at once. */
      Terminate: action({
        guard: (s) => s.peer === 'waiting',
        effect: (d) => {
          d.peer = 'failed'
          d.told = true
        },
        actor: 'device',
      }),
      /** The application gives the MR up (it may also give up one the kernel withdrew), so it knows. */
      Revoke: action({
        guard: (s) => s.key !== 'revoked',
        effect: (d) => {
          d.key = 'revoked'
          d.told = true
        },
        actor: 'application',
      }),
      /** The kernel takes the MR away, and the application is told at the latest in the same step. */
      Withdraw: action({
        guard: (s) => s.key === 'valid',
        effect: (d) => {
          d.key = 'withdrawn'
          d.told = true
        },
        actor: 'kernel',
      }),
      /**
       * The application hands the peer a new R-Key (a new registration, a window bound again) after
       * revoking the old one: a fresh promise, of which nothing is broken yet. A write posted through
       * the old key is answered first (the connection is up and idle), so it never lands under the new one.
       */
      Reissue: action({
        guard: (s) => s.key === 'revoked' && s.peer === 'idle',
        effect: (d) => {
          d.key = 'valid'
          d.told = false
        },
        actor: 'application',
      }),
      /** The application is told of a break (an error return, an event) without a change here. */
      Announce: action({
        guard: (s) => !s.told,
        effect: (d) => void (d.told = true),
        actor: 'kernel',
      }),
    },
  })
}

export type MrContract = ReturnType<typeof build>
export type MrContractState = SpecState<MrContract>

/** The value of `deviceMap` for a design: 'consistent', or a value outside the contract's type. */
export const deviceMap = (consistent: boolean): string => (consistent ? 'consistent' : 'inconsistent')
