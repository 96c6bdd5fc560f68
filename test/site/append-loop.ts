// Child process for the ledger crash and concurrency tests: appends `count` builds (0 = until
// killed) and prints each allocated number, so the parent knows how far it got.
import { appendBuild } from '../../site/ledger/append-build.ts';

const [ledger = '', builder = '', countText = '0'] = process.argv.slice(2);
const count = Number(countText);
for (let i = 0; count === 0 || i < count; i += 1) {
  const { entry } = await appendBuild(ledger, {
    builder,
    port: 'curl',
    result: 'success',
    url: `https://logs.example.org/${builder}/${i}/`,
    steps: [{ name: 'install-port', logs: [{ name: 'stdio', url: `https://logs.example.org/${builder}/${i}/stdio.txt` }] }],
  });
  process.stdout.write(`${entry.number}\n`);
}
