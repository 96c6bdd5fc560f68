/** What the controller needs to know of a port beyond its name: for checks (version) and failure mail (maintainers). */
export interface PortFacts {
  readonly maintainersOf: (port: string) => readonly string[];
  readonly versionOf: (port: string) => string | undefined;
}
