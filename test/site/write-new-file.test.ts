// A whole site build writes its files synchronously into its temporary folder
// (site/build/write-new-file.ts): a failure must still reach the build as a rejection that names
// the file and keeps the system's reason, and a file written must hold exactly what was given.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeNewFile } from '../../site/build/write-new-file.ts';

test('a file is written as given; a failed write rejects naming the file, with the reason as its cause', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-write-new-file-'));
  try {
    await writeNewFile(join(dir, 'a.json'), '{"v":4}');
    await writeNewFile(join(dir, 'b'), new Uint8Array([0xe2, 0x82, 0xac]));
    assert.equal(readFileSync(join(dir, 'a.json'), 'utf8'), '{"v":4}');
    assert.equal(readFileSync(join(dir, 'b'), 'utf8'), '€');
    const missing = join(dir, 'no-folder', 'x.json');
    await assert.rejects(writeNewFile(missing, 'x'), (caught: Error) => {
      assert.equal(caught.message, `cannot write ${missing}`);
      assert.equal((caught.cause as NodeJS.ErrnoException).code, 'ENOENT');
      return true;
    });
    mkdirSync(join(dir, 'folder'));
    await assert.rejects(writeNewFile(join(dir, 'folder'), 'x'), { message: `cannot write ${join(dir, 'folder')}` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
