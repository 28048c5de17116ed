package org.cxrscreen.training.data;

import java.nio.file.Path;
import org.cxrscreen.contracts.ScreeningClass;

/**
 * One labelled image of a data set.
 *
 * @param file the image file (PNG or JPEG)
 * @param label its class
 * @param patient the patient it belongs to; splits never put one patient on two sides
 * @param source where it came from, for a breakdown of results; may be empty
 */
public record LabelledImage(Path file, ScreeningClass label, String patient, String source) {
}
