import type { StoredName } from './backend.ts';
import { isVersion, isWidth } from './validate.ts';

/** The areas of a place besides the pointers, each with a folder (a key prefix) per user. */
export type Area = 'copies' | 'originals' | 'markers';

const COPY_FILE = /^([1-9][0-9]{0,3})\.webp$/;
const MARKER = /^([0-9a-f]{1,128})\.[0-9a-f-]{36}$/;

/** A copy's name under its user's folder of copies. */
export function copyName(version: string, width: number): string {
  return `${version}/${width}.webp`;
}

/** A new marker's name under its user's folder of markers: random, so no marker is ever written over another. */
export function markerName(version: string): string {
  return `${version}.${crypto.randomUUID()}`;
}

/**
 * Whether a file name is a write that never finished: a temp file starts with a dot (never a valid id) and ends `.tmp`.
 */
export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

/**
 * What an object in a user's folder of `area` is, from its name there (`rest`); `undefined` for a name this code
 * never writes, which is then left alone.
 */
export function parseName(area: Area, rest: string, key: string): StoredName | undefined {
  const parts = rest.split('/');
  if (isTempName(parts.at(-1)!)) return { kind: 'temp', key };
  if (area === 'copies') {
    const [version = '', file = '', ...more] = parts;
    const width = Number(COPY_FILE.exec(file)?.[1]);
    return !more.length && isVersion(version) && isWidth(width) ? { kind: 'copy', version, width, key } : undefined;
  }
  if (parts.length !== 1) return undefined;
  if (area === 'originals') return isVersion(rest) ? { kind: 'original', version: rest, key } : undefined;
  const version = MARKER.exec(rest)?.[1];
  return version ? { kind: 'unnamed', version, key } : undefined;
}
