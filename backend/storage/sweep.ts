import type { StorageBackend, StoredName, StoredObject } from './backend.ts';
import { readPointerState, type PointerState } from './pointer.ts';
import { recoverPointer } from './recover.ts';
import type { StoredPicture, SweepReport } from './storage.ts';

/** What `sweep` needs besides the objects: the grace period, and where a repaired pointer is reported. */
export interface SweepOptions {
  /** Nothing last written, or found unnamed, more recently than this is touched. */
  graceMs: number;
  /** The time to measure ages from (tests move it on instead of waiting). */
  now?: number;
  /** Stops the sweep between two users. */
  signal?: AbortSignal;
  log: Pick<Console, 'warn'>;
}

/**
 * Removes what no pointer names once it is older than the grace period. Every change writes an `unnamed` marker for
 * the version it stops naming before it commits, and a first upload one for its own version before its copies, so
 * anything that may need removing shows in a listing as more than one version of one kind; a user whose listing shows
 * only their current picture costs nothing more. Each other user is looked at on their own: the pointer is read first,
 * then the objects are listed (so a version a commit names from then on carries a marker dated after the read), and
 * the pointer is read again just before removing, in case a commit named one of them meanwhile. Removing is
 * idempotent and keeps no state, so sweeps may run on several instances at once and after any crash.
 */
export async function sweep(backend: StorageBackend, options: SweepOptions): Promise<SweepReport> {
  const { graceMs, now = Date.now(), signal, log } = options;
  const cutoff = now - graceMs;
  const report: SweepReport = { users: 0, removed: { copy: 0, original: 0, unnamed: 0, temp: 0 }, skipped: 0 };
  const count = (objects: readonly StoredName[]) => {
    for (const object of objects) report.removed[object.kind]++;
  };
  const looked = new Set<string>();
  for await (const { userId, objects } of backend.inventory()) {
    if (signal?.aborted) return report;
    if (looked.has(userId) || !mayHoldLeftovers(objects)) continue;
    looked.add(userId);
    report.users++;
    const first = await readableState(backend, userId, log);
    if (!first) {
      report.skipped++;
      continue;
    }
    const doomed = leftovers(await backend.list(userId), first.kind === 'picture' ? first.picture : null, cutoff);
    if (!doomed.length || !sameState(first, await readPointerState(backend, userId))) continue;
    // Markers last: a sweep cut short leaves the version's marker, so the next one finds what remains.
    const [markers, rest] = [doomed.filter((o) => o.kind === 'unnamed'), doomed.filter((o) => o.kind !== 'unnamed')];
    await backend.discard(rest);
    await backend.discard(markers);
    count(doomed);
  }
  const strays = (await backend.strays()).filter((stray) => stray.modifiedAt < cutoff);
  await backend.discard(strays);
  count(strays);
  return report;
}

/** More than one version, or more than one kind, in one area's listing of a user: more than a current picture holds. */
function mayHoldLeftovers(objects: readonly StoredName[]): boolean {
  const [first] = objects;
  return objects.some(
    (o) => o.kind === 'unnamed' || o.kind === 'temp' || o.kind !== first!.kind || o.version !== first!.version,
  );
}

/**
 * The pointer's state, after repairing one that cannot be read; `undefined` when it still cannot be (the user is left
 * alone).
 */
async function readableState(
  backend: StorageBackend,
  userId: string,
  log: Pick<Console, 'warn'>,
): Promise<PointerState | undefined> {
  const state = await readPointerState(backend, userId);
  if (state.kind !== 'unreadable') return state;
  await recoverPointer(backend, userId, state.error, log).catch(() => null);
  const again = await readPointerState(backend, userId);
  return again.kind === 'unreadable' ? undefined : again;
}

function sameState(a: PointerState, b: PointerState): boolean {
  if (a.kind !== 'picture' || b.kind !== 'picture') return a.kind === b.kind;
  return a.picture.version === b.picture.version && !a.picture.variants === !b.picture.variants;
}

/**
 * What may go of a user's objects: every object of a version the pointer does not name, once all of them (its
 * markers too) are older than `cutoff`; of the version it names, the kind it does not name (an upload kept whose
 * copies are committed, copies never committed for a kept upload, markers); temp files. Anything newer stays: an
 * upload in progress, or a version a cached lookup may still name.
 */
function leftovers(objects: readonly StoredObject[], picture: StoredPicture | null, cutoff: number): StoredObject[] {
  const old = (object: StoredObject) => object.modifiedAt < cutoff;
  const namedKind = picture?.variants ? 'copy' : 'original';
  const byVersion = new Map<string, StoredObject[]>();
  const doomed: StoredObject[] = [];
  for (const object of objects) {
    if (object.kind === 'temp') {
      if (old(object)) doomed.push(object);
    } else {
      byVersion.set(object.version!, [...(byVersion.get(object.version!) ?? []), object]);
    }
  }
  for (const [version, group] of byVersion) {
    if (version === picture?.version)
      doomed.push(...group.filter((object) => object.kind !== namedKind && old(object)));
    else if (group.every(old)) doomed.push(...group);
  }
  return doomed;
}
