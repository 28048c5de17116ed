package org.cxrscreen.inference.pipeline;

import java.util.TreeSet;

/**
 * The offsets of one partition between poll and publication. The offset that may be committed is the
 * lowest one still in flight (or the next to poll when none is), so a commit never passes an image
 * whose prediction Kafka has not acknowledged.
 */
final class PartitionOffsets {

    private final TreeSet<Long> pending = new TreeSet<>();
    private long next = -1;
    private long committed = -1;

    synchronized void polled(long offset) {
        pending.add(offset);
        next = Math.max(next, offset + 1);
    }

    synchronized void done(long offset) {
        pending.remove(offset);
        if (pending.isEmpty()) {
            notifyAll();
        }
    }

    /** The offset to commit, or -1 when nothing new can be committed. */
    synchronized long toCommit() {
        long offset = pending.isEmpty() ? next : pending.first();
        return offset > committed ? offset : -1;
    }

    synchronized void committed(long offset) {
        committed = Math.max(committed, offset);
    }

    synchronized int inFlight() {
        return pending.size();
    }

    /** Waits until nothing of this partition is in flight; false if the time ran out first. */
    synchronized boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        while (!pending.isEmpty()) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
