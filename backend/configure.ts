import { ConfigError, readConfig, type Config } from './config.ts';
import { wire, type Wired } from './wiring.ts';

/**
 * Reads the configuration and builds the service's parts, for both runtime entries. A setting that cannot work (a
 * {@link ConfigError}: its message names the variable and the fix) is printed as one line on stderr, without a stack
 * trace, and the process exits with 1: the person starting the service has a setting to change, not a bug to read.
 * Any other error is thrown on, stack and all.
 *
 * @param exit the runtime's `exit` (`process.exit`, `Deno.exit`).
 * @param explain words a runtime's own errors better (Deno's permissions); `config` is there once it was read.
 * @example
 * const { config, wired } = await configure(process.env, process.exit);
 */
export async function configure(
  env: Record<string, string | undefined>,
  exit: (code: number) => never,
  explain: (error: ConfigError, config?: Config) => string = (error) => error.message,
): Promise<{ config: Config; wired: Wired }> {
  let config: Config | undefined;
  try {
    config = readConfig(env);
    return { config, wired: await wire(config) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(explain(error, config));
    return exit(1);
  }
}
