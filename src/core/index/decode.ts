// Bytes -> text for indexing. Source files are expected to be UTF-8; anything else is still indexed
// (decoded as UTF-16 when it has a BOM, else as Latin-1) with a warning, because a wrong accent in a
// comment must not hide a file's definitions from search.
import type { IndexWarning } from './types';

export const BINARY_SNIFF_BYTES = 8192;

export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'latin1';

export type Decoded =
  | { text: string; encoding: Encoding; warning?: Omit<IndexWarning, 'path'> }
  | { skip: Omit<IndexWarning, 'path'> };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function decodeSource(buf: Uint8Array): Decoded {
  if (buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))) {
    const encoding: Encoding = buf[0] === 0xff ? 'utf-16le' : 'utf-16be';
    return {
      text: decodeAs(buf, encoding),
      encoding,
      warning: { reason: 'not-utf8', message: `file is ${encoding.toUpperCase()} (byte-order mark), not UTF-8; indexed after decoding` },
    };
  }
  const head = buf.subarray(0, BINARY_SNIFF_BYTES);
  if (head.includes(0)) {
    return { skip: { reason: 'binary', message: 'file looks binary (NUL byte in the first 8 KB); not indexed' } };
  }
  try {
    return { text: utf8.decode(buf), encoding: 'utf-8' };
  } catch {
    return {
      text: decodeAs(buf, 'latin1'),
      encoding: 'latin1',
      warning: { reason: 'not-utf8', message: 'file is not valid UTF-8; indexed as Latin-1, so non-ASCII text may look wrong' },
    };
  }
}

export function decodeAs(buf: Uint8Array, encoding: Encoding): string {
  if (encoding === 'latin1') return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1');
  return new TextDecoder(encoding).decode(buf);
}
