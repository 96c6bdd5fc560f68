import type { HostShell } from '../../controller/images/host-shell.ts';

/** A tart host as the seal steps see it: `tart get` answers for sealed names, `tart clone` adds one, `tart delete` removes one. */
export function fakeTartHost(): { shell: HostShell; images: Set<string>; scripts: string[] } {
  const images = new Set<string>();
  const scripts: string[] = [];
  const shell: HostShell = {
    run(_host, argv) {
      const script = argv.at(-1) ?? '';
      scripts.push(script);
      const get = /^tart get (\S+) >\/dev\/null 2>&1$/.exec(script);
      if (get?.[1] !== undefined) return Promise.resolve({ exitCode: images.has(get[1]) ? 0 : 2, stdout: '', stderr: '' });
      const clone = /^tart stop \S+\ntart clone \S+ (\S+)$/.exec(script);
      if (clone?.[1] !== undefined) {
        images.add(clone[1]);
        return Promise.resolve({ exitCode: 0, stdout: '', stderr: '' });
      }
      const absent = /^! tart get (\S+) >\/dev\/null 2>&1$/.exec(script);
      if (absent?.[1] !== undefined) return Promise.resolve({ exitCode: images.has(absent[1]) ? 1 : 0, stdout: '', stderr: '' });
      const del = /^tart delete (\S+)$/.exec(script);
      if (del?.[1] !== undefined) {
        images.delete(del[1]);
        return Promise.resolve({ exitCode: 0, stdout: '', stderr: '' });
      }
      return Promise.resolve({ exitCode: 127, stdout: '', stderr: `fake tart host: unknown script ${script}` });
    },
  };
  return { shell, images, scripts };
}
