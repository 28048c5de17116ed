package org.cxrscreen.contracts;

import java.time.Duration;

/**
 * Runs a write again after a failure, with exponential backoff, for transient faults such as a
 * database restart. The last failure is thrown once the attempts are used up.
 */
public final class Retrying {

    private static final System.Logger LOG = System.getLogger(Retrying.class.getName());

    private final int attempts;
    private final Duration firstDelay;
    private final Duration maxDelay;

    public Retrying(int attempts, Duration firstDelay, Duration maxDelay) {
        this.attempts = attempts;
        this.firstDelay = firstDelay;
        this.maxDelay = maxDelay;
    }

    /** Nine attempts, 200 ms doubling to at most 30 s: about a minute and a half in all. */
    public static Retrying standard() {
        return new Retrying(9, Duration.ofMillis(200), Duration.ofSeconds(30));
    }

    public void run(String what, Runnable write) {
        Duration delay = firstDelay;
        for (int attempt = 1; ; attempt++) {
            try {
                write.run();
                return;
            } catch (RuntimeException e) {
                if (attempt >= attempts) {
                    throw e;
                }
                LOG.log(System.Logger.Level.WARNING, String.format("%s failed (attempt %d of %d), retrying in %d ms: %s", what, attempt, attempts,
                        delay.toMillis(), e.getMessage()));
                sleep(delay);
                delay = delay.multipliedBy(2).compareTo(maxDelay) > 0 ? maxDelay : delay.multipliedBy(2);
            }
        }
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to retry", e);
        }
    }
}
