// The occmesh version: shown by `occmesh --version` and written into run records (traces/record.ts), which a
// different version refuses to replay.

export const OCCMESH_VERSION = '0.1.0';
