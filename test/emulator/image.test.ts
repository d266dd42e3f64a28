// Image validation names the real problem: bad base64 code, an empty or duplicated core list, a mesh channel from a
// core to itself.

import { describe, expect, it } from 'vitest';
import { parseImage, serializeImage, type Image } from '../../emulator/image.js';

function imageText(change: (raw: Record<string, any>) => void): string {
  const img: Image = {
    format: 'occmesh-image',
    version: 1,
    mesh: { width: 2, height: 1 },
    cores: [{ x: 0, y: 0, code: new Uint8Array([0x20, 0x20, 0x20, 0x20]), entry: 0, workspaceWords: 4 }],
    files: [],
    debug: [{ lines: [], checks: [], procs: [], data: [] }],
  };
  const raw = JSON.parse(serializeImage(img)) as Record<string, any>;
  change(raw);
  return JSON.stringify(raw);
}

describe('image validation', () => {
  it('accepts the well-formed image these tests start from', () => {
    expect(() => parseImage(imageText(() => {}))).not.toThrow();
  });

  it('says when the code is not base64', () => {
    for (const bad of ['!!!!', 'IC*gIA==', 'ICAgIA', 'IC AgIA=']) {
      expect(() => parseImage(imageText((r) => (r.cores[0].code = bad)))).toThrow('core 0: code is not valid base64');
    }
  });

  it('says when there are no cores or a core appears twice', () => {
    expect(() => parseImage(imageText((r) => ((r.cores = []), (r.debug = []))))).toThrow('image has no cores');
    expect(() => parseImage(imageText((r) => (r.cores = [r.cores[0], r.cores[0]])))).toThrow(
      'core (0, 0) appears twice',
    );
  });

  it('rejects a mesh channel from a core to itself unless it is a local channel array element', () => {
    const self = { name: 'c', from: { x: 1, y: 0 }, to: { x: 1, y: 0 } };
    expect(() => parseImage(imageText((r) => (r.channels = [self])))).toThrow(
      'mesh channel 0 ("c") goes from core (1, 0) to itself',
    );
    expect(() => parseImage(imageText((r) => (r.channels = [{ ...self, name: 'c[3]', local: true }])))).not.toThrow();
    expect(() => parseImage(imageText((r) => (r.channels = [{ ...self, to: { x: 0, y: 0 }, local: true }])))).toThrow(
      'is marked local but does not stay on one core',
    );
  });
});
