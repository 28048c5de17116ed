package org.cxrscreen.contracts;

import java.util.Locale;

/**
 * The three classes the system screens for. The names are also the folder names of a labelled
 * training set and the keys of every probability map on the wire.
 */
public enum ScreeningClass {
    COVID19,
    NORMAL,
    PNEUMONIA;

    /**
     * Parses a class name as people and data sets write it ({@code covid19}, {@code COVID-19},
     * {@code Normal}, {@code pneumonia}).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static ScreeningClass parse(String name) {
        if (name != null) {
            String normalised = name.trim().toUpperCase(Locale.ROOT).replace("-", "").replace("_", "");
            for (ScreeningClass c : values()) {
                if (c.name().equals(normalised)) {
                    return c;
                }
            }
        }
        throw new IllegalArgumentException(
                "unknown class '" + name + "': expected one of COVID19, NORMAL, PNEUMONIA");
    }
}
