/** Who is in a cluster run: which worker owns which partitions, which wait without any, and how long each one's heartbeat lasts. */
export class Roster {
  owners: Record<string, number[]> = {}
  /** Per worker: how long its heartbeat lasts (Join.heartbeatMs). */
  readonly heartbeatOf = new Map<string, number>()
  /** Workers that joined but own nothing (more processes than partitions to share). */
  standby: string[] = []
}
