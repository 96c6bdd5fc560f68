import { NotImplementedError } from '../../errors/user-error.ts';

/** The action of a subcommand whose issue has not landed: a clear message, exit 2. */
export function notImplemented(name: string, comesWith: string): () => never {
  return () => {
    throw new NotImplementedError(`portfarm ${name}`, comesWith);
  };
}
