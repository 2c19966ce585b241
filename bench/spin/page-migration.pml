/*
 * page-migration (models/page-migration.ts), policy odp, transport ib, rnr_retry 7 (retry
 * forever), in Promela, for the benchmark against SPIN (bench/run.ts). Same state variables, same
 * actions (one d_step per action instance, so that every stored state is a state of the model and
 * every executed transition is one generated successor), same invariants (asserted after every
 * step). Parameters by the preprocessor: -DPAGES=4 -DFRAMES=6 -DMOVES=3 -DWRITES=3.
 *
 * States that the TypeScript model writes as records and options are flattened: frames[f] is
 * fuse[f]/fdata[f], the fault handler is fhpc/fhpage/fhsnap/fhframe, and null is NONE.
 */
#ifndef PAGES
#define PAGES 4
#endif
#ifndef FRAMES
#define FRAMES 6
#endif
#ifndef MOVES
#define MOVES 3
#endif
#ifndef WRITES
#define WRITES 3
#endif

#define NONE 255
/* frames[f].use */
#define FREE 0
#define PAGE 1
#define KERNEL 2
/* key */
#define VALID 0
#define REVOKED 1
#define DESTROYED 2
/* mr */
#define LIVE 0
/* peer */
#define PIDLE 0
#define WAITING 1
#define FAILED 2
/* fh.pc */
#define FIDLE 0
#define SNAPPED 1
#define WALKED 2
#define READY 3
#define PROGRAMMED 4
#define MISMATCH 5
#define CHECKED 6
#define UNLOCKED 7
#define RETRY 8
/* mutex */
#define MFREE 0
#define MINV 1
#define MFAULT 2
#define MDEREG 3
/* inv */
#define IIDLE 0
#define STARTED 1
#define LOCKED 2
#define RETURNED 3
#define MUTATED 4
/* dereg */
#define DNONE 0
#define REVOKING 1
#define DREVOKED 2
#define RELEASED 3
/* umrQp */
#define QOK 0
#define QERROR 1

/* Unrolled loops over pages and frames. */
#if PAGES == 1
#define FORP(M) M(0)
#define ALLP(M) (M(0))
#define ANYP(M) (M(0))
#elif PAGES == 2
#define FORP(M) M(0); M(1)
#define ALLP(M) (M(0) && M(1))
#define ANYP(M) (M(0) || M(1))
#elif PAGES == 3
#define FORP(M) M(0); M(1); M(2)
#define ALLP(M) (M(0) && M(1) && M(2))
#define ANYP(M) (M(0) || M(1) || M(2))
#elif PAGES == 4
#define FORP(M) M(0); M(1); M(2); M(3)
#define ALLP(M) (M(0) && M(1) && M(2) && M(3))
#define ANYP(M) (M(0) || M(1) || M(2) || M(3))
#elif PAGES == 5
#define FORP(M) M(0); M(1); M(2); M(3); M(4)
#define ALLP(M) (M(0) && M(1) && M(2) && M(3) && M(4))
#define ANYP(M) (M(0) || M(1) || M(2) || M(3) || M(4))
#endif
#if FRAMES == 2
#define ANYF(M) (M(0) || M(1))
#define SUMF(M) (M(0) + M(1))
#elif FRAMES == 3
#define ANYF(M) (M(0) || M(1) || M(2))
#define SUMF(M) (M(0) + M(1) + M(2))
#elif FRAMES == 4
#define ANYF(M) (M(0) || M(1) || M(2) || M(3))
#define SUMF(M) (M(0) + M(1) + M(2) + M(3))
#elif FRAMES == 5
#define ANYF(M) (M(0) || M(1) || M(2) || M(3) || M(4))
#define SUMF(M) (M(0) + M(1) + M(2) + M(3) + M(4))
#elif FRAMES == 6
#define ANYF(M) (M(0) || M(1) || M(2) || M(3) || M(4) || M(5))
#define SUMF(M) (M(0) + M(1) + M(2) + M(3) + M(4) + M(5))
#elif FRAMES == 7
#define ANYF(M) (M(0) || M(1) || M(2) || M(3) || M(4) || M(5) || M(6))
#define SUMF(M) (M(0) + M(1) + M(2) + M(3) + M(4) + M(5) + M(6))
#endif

byte cpu[PAGES];
byte fuse[FRAMES];
byte fdata[FRAMES];
byte dev[PAGES];
byte key;
bool appEvent;
byte moved;
byte mr;
byte migPage;
byte migTo;
byte peer;
byte target;
byte written;
byte acked[PAGES];
byte retry;
byte inflight;
bool mapped[PAGES];
bool faultReq[PAGES];
byte fhpc;
byte fhpage;
byte fhsnap;
byte fhframe;
byte mutex;
byte mmSeq;
byte mniSeq;
byte inv;
byte invPage;
bool zapPending[PAGES];
bool alive;
bool subscribed;
byte dereg;
byte umrQp;

/* The invariants of properties/page-migration.ts (PinNotMovable holds trivially under odp). */
#define STALE(q) (dev[q] != NONE && (dev[q] != cpu[q] || fuse[dev[q]] != PAGE))
#define NOTSTALE(q) (!STALE(q))
#define LOST(q) (fdata[cpu[q]] < acked[q])
#define NOTLOST(q) (!LOST(q))
#define STALEORLOST(q) (STALE(q) || LOST(q))
#define BROKEN (key == DESTROYED || ANYP(STALEORLOST) || (peer == FAILED && key == VALID))
#define INVARIANTS \
  assert(ALLP(NOTSTALE)); \
  assert(ALLP(NOTLOST)); \
  assert(!BROKEN || appEvent); \
  assert(mmSeq % 2 == (inv == IIDLE -> 0 : 1) && mniSeq % 2 == 1); \
  assert(umrQp == QOK)

#define ISFREE(f) (fuse[f] == FREE)
#define SOMEFREE ANYF(ISFREE)
#define ZAPPING(q) (zapPending[q])
#define MAYSTART(q) (key == VALID && ((fhpc == FIDLE && dev[q] == NONE) || (fhpc == RETRY && fhpage == q)))
#define POSTUMR if :: key != VALID -> umrQp = QERROR :: else -> skip fi
#define CLEARDEV(q) dev[q] = NONE
#define CLEARFAULT(q) faultReq[q] = false
#define UNMAP(q) mapped[q] = false

/* One option per action instance. */
#define PEERWRITE(p) :: d_step { peer == PIDLE && written < WRITES -> written++; target = p; peer = WAITING; INVARIANTS }
#define FAULTBEGIN(p) :: d_step { mniSeq != mmSeq && MAYSTART(p) -> fhpage = p; fhsnap = mniSeq; fhpc = SNAPPED; INVARIANTS }
#define FAULTWALK(p) :: d_step { fhpc == SNAPPED && fhpage == p -> fhpage = p; fhframe = cpu[p]; fhpc = READY; INVARIANTS }
/* The offline of frame 0 (the movable block) is not bounded by MOVES; a background move leaves it a destination. */
#define FREEN(f) (fuse[f] == FREE -> 1 : 0)
#define ONMOVABLE(q) (cpu[q] == 0)
#define MOVABLEHELD ANYP(ONMOVABLE)
#define MAYMOVE(p) (ONMOVABLE(p) -> SUMF(FREEN) >= 1 : (moved < MOVES && SUMF(FREEN) >= (MOVABLEHELD -> 2 : 1)))
#define INVSTART(p) :: d_step { inv == IIDLE && MAYMOVE(p) -> \
    if :: !ONMOVABLE(p) -> moved++ :: else -> skip fi; mmSeq++; invPage = p; if :: subscribed -> inv = STARTED :: else -> inv = RETURNED fi; INVARIANTS }
#define OSMUTATE(t) :: d_step { inv == RETURNED && fuse[t] == FREE -> \
    byte from = cpu[invPage]; fuse[t] = PAGE; fdata[t] = fdata[from]; cpu[invPage] = t; fuse[from] = KERNEL; fdata[from] = 0; \
    inv = MUTATED; INVARIANTS }

#if PAGES == 1
#define FORALLPAGES(A) A(0)
#elif PAGES == 2
#define FORALLPAGES(A) A(0) A(1)
#elif PAGES == 3
#define FORALLPAGES(A) A(0) A(1) A(2)
#elif PAGES == 4
#define FORALLPAGES(A) A(0) A(1) A(2) A(3)
#elif PAGES == 5
#define FORALLPAGES(A) A(0) A(1) A(2) A(3) A(4)
#endif
#if FRAMES == 2
#define FORALLFRAMES(A) A(0) A(1)
#elif FRAMES == 3
#define FORALLFRAMES(A) A(0) A(1) A(2)
#elif FRAMES == 4
#define FORALLFRAMES(A) A(0) A(1) A(2) A(3)
#elif FRAMES == 5
#define FORALLFRAMES(A) A(0) A(1) A(2) A(3) A(4)
#elif FRAMES == 6
#define FORALLFRAMES(A) A(0) A(1) A(2) A(3) A(4) A(5)
#elif FRAMES == 7
#define FORALLFRAMES(A) A(0) A(1) A(2) A(3) A(4) A(5) A(6)
#endif

#define HOME(q) cpu[q] = q; fuse[q] = PAGE; dev[q] = NONE

init {
  d_step {
    FORP(HOME);
    inflight = NONE; fhpc = FIDLE; fhpage = 0; fhsnap = 1; fhframe = NONE;
    mmSeq = 2; mniSeq = 1; alive = true; subscribed = true
  }
  do
  FORALLPAGES(PEERWRITE)
  :: d_step { peer == WAITING && inflight == NONE && key == VALID && mr == LIVE && dev[target] != NONE ->
       inflight = dev[target]; INVARIANTS }
  :: d_step { inflight != NONE ->
       fdata[inflight] = written; acked[target] = written; inflight = NONE; peer = PIDLE; target = 0; retry = 0;
       INVARIANTS }
  :: d_step { peer == WAITING && inflight == NONE && key != VALID -> peer = FAILED; INVARIANTS }
  :: d_step { peer == WAITING && inflight == NONE && key == VALID && dev[target] == NONE && !faultReq[target] ->
       faultReq[target] = true; INVARIANTS }
  :: d_step { key == VALID && dereg == DNONE && fhpc == FIDLE && inflight == NONE && mutex == MFREE ->
       key = REVOKED; FORP(CLEARDEV); FORP(CLEARFAULT); mutex = MDEREG; alive = false; dereg = REVOKING; INVARIANTS }
  :: d_step { dereg == REVOKING -> mutex = MFREE; dereg = DREVOKED; INVARIANTS }
  :: d_step { dereg == DREVOKED && inv == IIDLE && mutex == MFREE ->
       subscribed = false; alive = false; FORP(UNMAP); dereg = RELEASED; INVARIANTS }
  FORALLPAGES(FAULTBEGIN)
  FORALLPAGES(FAULTWALK)
  :: d_step { fhpc == READY && mutex == MFREE ->
       mutex = MFAULT;
       if
       :: mniSeq != fhsnap -> fhpc = MISMATCH
       :: else -> POSTUMR; dev[fhpage] = fhframe; mapped[fhpage] = true; fhpc = PROGRAMMED
       fi;
       INVARIANTS }
  :: d_step { fhpc == PROGRAMMED || fhpc == MISMATCH || fhpc == CHECKED ->
       mutex = MFREE;
       if
       :: fhpc == PROGRAMMED -> faultReq[fhpage] = false; fhpc = FIDLE; fhpage = 0; fhsnap = 1; fhframe = NONE
       :: fhpc == CHECKED -> fhpc = UNLOCKED
       :: else -> fhpc = RETRY; fhsnap = 1; fhframe = NONE
       fi;
       INVARIANTS }
  FORALLPAGES(INVSTART)
  :: d_step { inv == STARTED && mutex == MFREE ->
       mutex = MINV; mniSeq = mmSeq;
       if
       :: alive && mapped[invPage] -> POSTUMR; dev[invPage] = NONE; mapped[invPage] = false
       :: else -> skip
       fi;
       inv = LOCKED; INVARIANTS }
  :: d_step { inv == LOCKED && inflight == NONE -> mutex = MFREE; inv = RETURNED; INVARIANTS }
  FORALLFRAMES(OSMUTATE)
  :: d_step { inv == MUTATED -> mmSeq++; inv = IIDLE; invPage = 0; INVARIANTS }
  :: d_step { inflight == NONE && mutex == MFREE && inv == IIDLE && fhpc == FIDLE && mr == LIVE &&
       !ANYP(ZAPPING) && (dereg == DNONE || dereg == RELEASED) -> skip }
  od
}
