import { compileGrammar, GrammarError, type Grammar } from '../parser/index.js';
import { ConfigError, type Config } from '../config-base.js';

/** The config's grammar compiled; a bad pattern is a config error naming the file and field. */
export function grammarFor(config: Config): Grammar {
  try {
    return compileGrammar(config.grammar, config.timezone);
  } catch (err) {
    if (err instanceof GrammarError) throw new ConfigError(`${config.file ?? 'command line'}: invalid config\n  ${err.message}`);
    throw err;
  }
}
