import { describe, expect, test } from 'vitest';
import { commandVars, expandCommand } from '../src/runner/command.js';

describe('expandCommand', () => {
  const vars = { keysFile: '/state/keys/resume-1.txt', workers: 6, timeout: 180, serviceUrl: 'https://x.run.app' };
  test.each([
    [['python', '-u', 'job.py'], ['python', '-u', 'job.py']],
    [['--csv={keysFile}'], ['--csv=/state/keys/resume-1.txt']],
    [['--workers={workers}', '--timeout={timeout}'], ['--workers=6', '--timeout=180']],
    [['--service-url={serviceUrl}'], ['--service-url=https://x.run.app']],
    [['{workers}-{workers}'], ['6-6']],
    [['{keysFile}'], ['/state/keys/resume-1.txt']],
    // Braces that are not a placeholder name stay as they are.
    [['{}', '{ x }', '{1a}', '$HOME'], ['{}', '{ x }', '{1a}', '$HOME']],
  ])('%j → %j', (command, expected) => {
    expect(expandCommand(command, vars)).toEqual(expected);
  });

  test('a value with spaces and shell characters stays one argument, untouched', () => {
    const argv = expandCommand(['--url={u}'], { u: 'a b; rm -rf / $(x) "q"' });
    expect(argv).toEqual(['--url=a b; rm -rf / $(x) "q"']);
  });

  test('an unknown placeholder is an error that names it', () => {
    expect(() => expandCommand(['--url={serviceUrl}', '--x={other}', '{workers}'], { workers: 1 })).toThrow(
      /Unknown placeholder \{serviceUrl\}, \{other\}/,
    );
  });

  test('inherited object keys are not placeholders', () => {
    expect(() => expandCommand(['{constructor}'], {})).toThrow(/\{constructor\}/);
  });
});

describe('commandVars', () => {
  test('the run settings win over config vars of the same name', () => {
    expect(commandVars({ workers: 99, serviceUrl: 's' }, { keysFile: '/k', workers: 3, timeout: 300 })).toEqual({
      serviceUrl: 's', workers: 3, timeout: 300, keysFile: '/k',
    });
  });

  test('without a keys file {keysFile} stays unknown', () => {
    const v = commandVars({}, { keysFile: null, workers: 1, timeout: 1 });
    expect(() => expandCommand(['{keysFile}'], v)).toThrow(/\{keysFile\}/);
  });
});
