package org.cxrscreen.training.data;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Training-time image changes, off by default (the research found augmentation hurt): rotation by up to
 * ±10°, horizontal flip, brightness and contrast each by up to ±20%.
 */
public enum Augmentation {
    ROTATE("rotate"),
    FLIP("flip"),
    BRIGHTNESS_CONTRAST("brightness-contrast");

    private final String id;

    Augmentation(String id) {
        this.id = id;
    }

    @com.fasterxml.jackson.annotation.JsonValue
    public String id() {
        return id;
    }

    /** A comma-separated list of ids ({@code rotate,flip,brightness-contrast}); empty for none. */
    public static Set<Augmentation> parse(String list) {
        Set<Augmentation> set = EnumSet.noneOf(Augmentation.class);
        if (list == null || list.isBlank() || list.equals("none")) {
            return set;
        }
        for (String id : list.split(",")) {
            set.add(Arrays.stream(values()).filter(a -> a.id.equals(id.trim().toLowerCase(Locale.ROOT))).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown augmentation '" + id
                            + "': expected rotate, flip, brightness-contrast")));
        }
        return set;
    }
}
