package org.gkc4j.cli;

import picocli.CommandLine.Option;

/** Options every command accepts. */
public class CommonOptions {
    @Option(names = "--verbose", description = "Show stack traces of errors.")
    boolean verbose;
}
