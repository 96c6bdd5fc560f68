import { isAbsolute, resolve } from 'node:path';
import type { ConfigFile } from './config-schema.ts';

/**
 * Every path key of a config file, relative ones made absolute against the folder of the file
 * (as docker compose and tsconfig do), so `portfarm serve --config /etc/portfarm/portfarm.config.yaml`
 * finds `privateKeyPath: app.pem` in /etc/portfarm whatever the working folder. Defaults of
 * path keys (`state/portfarm.sqlite`) count as written in the file. Absolute paths stay.
 */
export function resolveConfigPaths<C extends ConfigFile>(config: C, configDir: string): C {
  const at = (path: string): string => (isAbsolute(path) ? path : resolve(configDir, path));
  const { logArchiveDir } = config.site;
  const { registryPath } = config.images;
  const { mirrorDir } = config.caches;
  return {
    ...config,
    github: { ...config.github, privateKeyPath: at(config.github.privateKeyPath) },
    state: { ...config.state, path: at(config.state.path) },
    site: { ...config.site, out: at(config.site.out), ...(logArchiveDir === undefined ? {} : { logArchiveDir: at(logArchiveDir) }) },
    images: { ...config.images, ...(registryPath === undefined ? {} : { registryPath: at(registryPath) }) },
    caches: { ...config.caches, quarantineDir: at(config.caches.quarantineDir), ...(mirrorDir === undefined ? {} : { mirrorDir: at(mirrorDir) }) },
  };
}
