package org.cxrscreen.imaging;

/**
 * An input decoded to grayscale at its full size.
 *
 * @param format the encoded format it came in
 * @param image its samples, converted to 8-bit grayscale
 */
public record DecodedImage(ImageFormat format, GrayImage image) {
}
