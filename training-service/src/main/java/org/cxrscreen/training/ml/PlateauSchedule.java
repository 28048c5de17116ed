package org.cxrscreen.training.ml;

import ai.djl.training.tracker.Tracker;

/**
 * The learning rate, reduced on a plateau (the research's schedule): after {@code patience} epochs
 * without a better validation figure it is multiplied by {@code factor}, never below {@code floor}.
 */
public final class PlateauSchedule implements Tracker {

    private final float factor;
    private final float floor;
    private final int patience;
    private volatile float rate;
    private double best = Double.NEGATIVE_INFINITY;
    private int sinceBest;

    public PlateauSchedule(float initial, float factor, float floor, int patience) {
        if (!(initial > 0) || !(factor > 0 && factor < 1) || !(floor > 0) || patience < 1) {
            throw new IllegalArgumentException("invalid learning-rate schedule");
        }
        this.rate = Math.max(initial, floor);
        this.factor = factor;
        this.floor = floor;
        this.patience = patience;
    }

    @Override
    public float getNewValue(int numUpdate) {
        return rate;
    }

    /** The current learning rate. */
    public float rate() {
        return rate;
    }

    /**
     * Takes an epoch's validation figure (higher is better); returns true when the rate was reduced.
     */
    public boolean epochEnded(double figure) {
        if (figure > best) {
            best = figure;
            sinceBest = 0;
            return false;
        }
        sinceBest++;
        if (sinceBest >= patience && rate > floor) {
            rate = Math.max(floor, rate * factor);
            sinceBest = 0;
            return true;
        }
        return false;
    }
}
