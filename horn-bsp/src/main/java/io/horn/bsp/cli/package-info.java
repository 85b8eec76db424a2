/**
 * The command-line convention of every {@code bin/horn} command, on picocli: {@code --help} on
 * each ({@link HelpOptions}), {@code -D key=value} and {@code --conf FILE} wherever a command has
 * a configuration ({@link ConfigOptions}), errors that name the option, the usage only for a
 * wrong command line, exit status 0, 1 (the work failed) or 2 (the command line is wrong)
 * ({@link Cli}).
 */
package io.horn.bsp.cli;
