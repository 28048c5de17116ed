package org.cxrscreen.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child process of the stack with its output in a log file. Stopping it sends SIGTERM (a graceful
 * shutdown for Quarkus and Kafka), waits, then kills it and anything it started.
 */
final class ManagedProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private ManagedProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static ManagedProcess start(String name, List<String> command, Map<String, String> env, Path log) {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(ownSession(command))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(env);
            return new ManagedProcess(name, builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs the command in a session of its own when {@code setsid} is there, so that a Ctrl-C in the
     * terminal reaches only the stack, which then stops its processes in order (services before the
     * broker they commit to).
     */
    private static List<String> ownSession(List<String> command) {
        for (String dir : new String[] {"/usr/bin", "/bin"}) {
            if (Files.isExecutable(Path.of(dir, "setsid"))) {
                List<String> wrapped = new java.util.ArrayList<>();
                wrapped.add(dir + "/setsid");
                wrapped.addAll(command);
                return wrapped;
            }
        }
        return command;
    }

    /** The Java binary running this JVM, for child JVMs. */
    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Waits for the process to end by itself; its exit status. */
    int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /** The last lines of the log, to show why a process failed. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGKILL: the process ends at once, with no chance to finish anything. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** The process id. */
    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
