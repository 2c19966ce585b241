/** The built-in models, in the order `mrcheck list` and `mrcheck matrix` show them. */
import type { AnyModel } from '../checker/index.js'
import mrLifecycle from './mr-lifecycle.js'
import pageMigration from './page-migration.js'
import deviceRemoval from './device-removal.js'
import pinnedMemory from './pinned-memory.js'
import implicitOdp from './implicit-odp.js'
import mrContract from './mr-contract.js'
import dieHard from './examples/diehard.js'
import peterson from './examples/peterson.js'
import twoPhase from './examples/twophase.js'
import philosophers from './examples/philosophers.js'
import starvingMutex from './examples/starvingMutex.js'
import translationTable from './examples/translationTable.js'
import ewd840 from './examples/ewd840.js'
import simpleAllocator from './examples/simpleAllocator.js'
import tokenRing from './examples/tokenRing.js'
import syncTerminationDetection from './examples/syncTerminationDetection.js'
import innerFifo from './examples/innerFifo.js'
import tcommit from './examples/tcommit.js'
import twoPhaseMsgs from './examples/twoPhaseMsgs.js'
import internalMemory from './examples/internalMemory.js'
import writeThroughCache from './examples/writeThroughCache.js'

export const builtinModels: readonly AnyModel[] = [mrLifecycle, pageMigration, deviceRemoval, pinnedMemory, implicitOdp, mrContract, dieHard, peterson, twoPhase, philosophers, starvingMutex, translationTable, ewd840, syncTerminationDetection, simpleAllocator, tokenRing, innerFifo, tcommit, twoPhaseMsgs, internalMemory, writeThroughCache]

/**
 * This module's URL, from which threads load the built-in models. Named beside this module's code,
 * which holds both in tsc's output and in the bundle (build/bundle.ts), where it is the builtins entry.
 */
export const builtinsModule = new URL('./registry.js', import.meta.url).href

/** The same list under the name the package exports (`import { builtins } from 'mrcheck/builtins'`), for `resume(dir, { builtins })`. */
export const builtins = builtinModels
