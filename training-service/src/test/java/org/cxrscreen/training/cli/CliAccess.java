package org.cxrscreen.training.cli;

import java.io.PrintStream;
import java.util.List;

/** Runs the CLI in the test JVM and returns its exit status instead of exiting. */
public final class CliAccess {

    private CliAccess() {
    }

    public static int run(PrintStream out, List<String> args) {
        return new CxrCli(out).run(args);
    }
}
