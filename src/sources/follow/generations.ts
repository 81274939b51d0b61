/**
 * The generations of followed files found at start-up: what logrotate made, while lograbbit was
 * stopped, of each file a checkpoint names. A followed path's generations are the files beside it
 * named after it (`access.log`, `access.log.1`, `access.log-20261128`, `access.log.2.gz`), oldest
 * first by logrotate's numbering (and by their last write when the names do not tell).
 *
 * Each generation is recognised by what it holds, not by its name, which logrotate changes:
 * - the checkpointed file itself: its inode, still starting with the checkpoint's fingerprint;
 * - a copy of it (copytruncate): another inode that starts with the fingerprint, as `copies.ts` says;
 * - the checkpointed file compressed (`.gz`): its decompressed head has the fingerprint;
 * - any other generation is newer than the oldest of those when it comes after it (or, with none of
 *   them left, when it was written after the last checkpoint): it was written while lograbbit was
 *   stopped, and is read whole. An older one was there before lograbbit followed the path: left alone.
 *
 * The plan reads every unread byte it can, oldest generation first; what it cannot (a generation
 * deleted or compressed before it was read) it reports as lost.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { FINGERPRINT_BYTES, checkpointKeyOf } from '../checkpoint/index.js';
import type { Checkpoint } from '../checkpoint/index.js';
import { headOf, isCopy, siblingsOf } from './copies.js';
import type { Sibling } from './copies.js';
import { headMatches } from './file-identity.js';
import { isGzipName, readGzipContent } from './gzip-content.js';
import type { TailerStart } from './tailer.js';

/** A generation to read: open, from where, under which source and stream. */
export interface GenerationRead {
  readonly handle: FileHandle;
  readonly start: TailerStart;
  /** The checkpoint whose stream it continues; undefined for a generation read from its start. */
  readonly continues: Checkpoint | undefined;
}

/** Bytes of a generation that can no longer be read. */
export interface LostGeneration {
  /** Where they were: the compressed file, or the path the vanished file was followed under. */
  readonly path: string;
  readonly followedPath: string;
  /** The first byte not read. */
  readonly offset: number;
  /** How many bytes are lost; undefined when nothing tells (a vanished file, or not gzip). */
  readonly bytes: number | undefined;
  /** Compressed before it was read, or gone (deleted, or truncated with no copy beside it). */
  readonly why: 'compressed' | 'gone';
}

export interface CatchUpPlan {
  /** Oldest generation first, per followed path. */
  readonly reads: GenerationRead[];
  readonly lost: LostGeneration[];
  /** Checkpoints that no file continues any more (gone, or continued under a copy's inode). */
  readonly obsolete: Checkpoint[];
}

/** A file beside a followed path that may be one of its generations. */
interface Member extends Sibling {
  /** A pattern matches it: the follower opens it as it opens any matching file. */
  readonly followed: boolean;
}

type Role =
  | { readonly kind: 'itself'; readonly checkpoint: Checkpoint }
  | { readonly kind: 'copy'; readonly checkpoint: Checkpoint }
  | { readonly kind: 'compressed'; readonly checkpoint: Checkpoint; readonly size: number | undefined }
  | { readonly kind: 'other' }
  | { readonly kind: 'ignored' };

/**
 * Plans the catch-up of every checkpointed path. `isFollowed` tells which paths the patterns match
 * (those are left to the follower's discovery). A generation read from its start gets the source of
 * the path's latest checkpoint.
 */
export async function planCatchUp(
  checkpoints: readonly Checkpoint[],
  isFollowed: (path: string) => boolean,
): Promise<CatchUpPlan> {
  const plan: CatchUpPlan = { reads: [], lost: [], obsolete: [] };
  const families = new Map<string, Checkpoint[]>();
  for (const checkpoint of checkpoints) {
    families.set(checkpoint.path, [...(families.get(checkpoint.path) ?? []), checkpoint]);
  }
  for (const [followedPath, family] of families) {
    await planFamily(followedPath, family, isFollowed, plan);
  }
  return plan;
}

async function planFamily(
  followedPath: string,
  checkpoints: readonly Checkpoint[],
  isFollowed: (path: string) => boolean,
  plan: CatchUpPlan,
): Promise<void> {
  const members = await membersOf(followedPath, checkpoints, isFollowed);
  const byKey = new Map(
    checkpoints.map((checkpoint) => [checkpointKeyOf(checkpoint.dev, checkpoint.ino), checkpoint]),
  );
  const roles = new Map<Member, Role>();
  const continued = new Set<Checkpoint>();
  const heads = new Map<Member, Buffer>();

  // First the checkpointed files still there (a copy of one of them holds nothing more).
  for (const member of members) {
    if (member.compressed) continue;
    const head = await headOf(member.path);
    if (!head) continue;
    heads.set(member, head);
    const checkpoint = byKey.get(member.key);
    if (checkpoint && member.size >= checkpoint.offset && headMatches(head, checkpoint.fingerprint)) {
      roles.set(member, { kind: 'itself', checkpoint });
      continued.add(checkpoint);
    }
  }
  for (const member of members) {
    if (roles.has(member)) continue;
    roles.set(member, await roleOf(member, heads.get(member), checkpoints, continued));
  }

  const anchors = members.filter(
    (member) => roles.get(member)?.kind !== 'other' && roles.get(member)?.kind !== 'ignored',
  );
  const oldestAnchor = anchors[0] ? members.indexOf(anchors[0]) : -1;
  // With no generation of a checkpoint left, the checkpoints' times tell what was written since.
  const lastCheckpointMs = Math.max(
    ...checkpoints.map((checkpoint) => Date.parse(checkpoint.updatedAt) || 0),
  );
  const source = newest(checkpoints).source;

  for (const [index, member] of members.entries()) {
    const role = roles.get(member) ?? { kind: 'ignored' };
    switch (role.kind) {
      case 'itself':
      case 'copy': {
        if (member.followed || member.size <= role.checkpoint.offset) break;
        await addRead(plan, member, role.checkpoint, followedPath);
        break;
      }
      case 'compressed': {
        const bytes = role.size === undefined ? undefined : role.size - role.checkpoint.offset;
        if (role.checkpoint.finished === true || bytes === 0) break;
        plan.lost.push({
          path: member.path,
          followedPath,
          offset: role.checkpoint.offset,
          bytes,
          why: 'compressed',
        });
        break;
      }
      case 'other': {
        const newer =
          oldestAnchor === -1 ? Number(member.mtimeNs / 1_000_000n) > lastCheckpointMs : index > oldestAnchor;
        if (!newer || member.followed || member.size === 0) break;
        if (member.compressed) {
          const content = isGzipName(member.name) ? await readGzipContent(member.path, 0, true) : undefined;
          if (content?.size === 0) break;
          plan.lost.push({
            path: member.path,
            followedPath,
            offset: 0,
            bytes: content?.size,
            why: 'compressed',
          });
        } else {
          await addRead(plan, member, { source, offset: 0 }, followedPath);
        }
        break;
      }
      case 'ignored':
        break;
    }
  }

  for (const checkpoint of checkpoints) {
    const key = checkpointKeyOf(checkpoint.dev, checkpoint.ino);
    const itself = [...roles].some(([member, role]) => role.kind === 'itself' && member.key === key);
    if (itself) continue;
    plan.obsolete.push(checkpoint);
    if (!continued.has(checkpoint) && checkpoint.finished !== true) {
      plan.lost.push({
        path: checkpoint.path,
        followedPath,
        offset: checkpoint.offset,
        bytes: undefined,
        why: 'gone',
      });
    }
  }
}

/** What a member is, once the checkpointed files still there are known. */
async function roleOf(
  member: Member,
  head: Buffer | undefined,
  checkpoints: readonly Checkpoint[],
  continued: Set<Checkpoint>,
): Promise<Role> {
  if (member.compressed) {
    if (!isGzipName(member.name)) return { kind: 'other' };
    const content = await readGzipContent(member.path, FINGERPRINT_BYTES, false);
    if (!content) return { kind: 'ignored' };
    const checkpoint = checkpoints.find(
      (each) => !continued.has(each) && headMatches(content.head, each.fingerprint),
    );
    if (!checkpoint) return { kind: 'other' };
    continued.add(checkpoint);
    const size =
      checkpoint.finished === true ? undefined : (await readGzipContent(member.path, 0, true))?.size;
    return { kind: 'compressed', checkpoint, size };
  }
  if (!head) return { kind: 'ignored' };
  const match = checkpoints.find((each) => headMatches(head, each.fingerprint));
  if (!match) return { kind: 'other' };
  // A copy of a file still there, or a second copy, holds nothing more: reading it would repeat ids.
  if (continued.has(match) || !isCopy(member, head, match)) return { kind: 'ignored' };
  continued.add(match);
  return { kind: 'copy', checkpoint: match };
}

async function addRead(
  plan: CatchUpPlan,
  member: Member,
  from: Checkpoint | { readonly source: string; readonly offset: 0 },
  followedPath: string,
): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(member.path, 'r');
  } catch {
    return;
  }
  const continues = 'version' in from ? from : undefined;
  plan.reads.push({
    handle,
    continues,
    start: {
      path: member.path,
      followedPath,
      source: from.source,
      offset: from.offset,
      streamId: continues?.streamId ? Buffer.from(continues.streamId, 'hex') : undefined,
    },
  });
}

/**
 * The files beside `followedPath` that may be its generations, oldest first: the path itself, the
 * names logrotate gives its rotations, and any file that has a checkpoint's inode.
 */
async function membersOf(
  followedPath: string,
  checkpoints: readonly Checkpoint[],
  isFollowed: (path: string) => boolean,
): Promise<Member[]> {
  const base = basename(followedPath);
  const keys = new Set(checkpoints.map((checkpoint) => checkpointKeyOf(checkpoint.dev, checkpoint.ino)));
  const members: Member[] = [];
  for (const sibling of await siblingsOf(followedPath)) {
    if (sibling.name !== base && !isRotatedName(base, sibling.name) && !keys.has(sibling.key)) continue;
    members.push({ ...sibling, followed: isFollowed(sibling.path) });
  }
  // By name first: a compressed generation is written when it is compressed, after newer ones.
  return members.sort(
    (a, b) =>
      rotationAge(base, b.name) - rotationAge(base, a.name) ||
      (a.mtimeNs < b.mtimeNs ? -1 : a.mtimeNs > b.mtimeNs ? 1 : 0),
  );
}

/** `name` is what logrotate calls a rotation of `base`: `.1`, `-20261128`, `.2.gz`, `_2026-11-28`. */
export function isRotatedName(base: string, name: string): boolean {
  return name.startsWith(base) && /^[._-]\d/.test(name.slice(base.length));
}

/**
 * How old logrotate's name says a generation is: the path itself is the newest; `.1` is newer than
 * `.2`; a date suffix is newer the later it is. A checkpointed file renamed to another name counts
 * as the newest rotated one (its last write orders it among others of that kind).
 */
function rotationAge(base: string, name: string): number {
  if (name === base) return 0;
  if (!isRotatedName(base, name)) return 0.5;
  const digits = /^[._-](\d+)/.exec(name.slice(base.length))?.[1] ?? '';
  const number = Number(digits);
  // Rotation numbers are small; dates (20261128) are large and grow with time.
  return digits.length <= 4 ? number : Number.MAX_SAFE_INTEGER - number;
}

function newest(checkpoints: readonly Checkpoint[]): Checkpoint {
  return checkpoints.reduce((latest, each) => (each.updatedAt > latest.updatedAt ? each : latest));
}
