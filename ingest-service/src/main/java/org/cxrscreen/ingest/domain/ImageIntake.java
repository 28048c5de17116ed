package org.cxrscreen.ingest.domain;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import org.cxrscreen.contracts.ImageReceived;
import org.cxrscreen.imaging.CanonicalImages;
import org.cxrscreen.imaging.DecodedImage;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.imaging.ImageDecoder;
import org.cxrscreen.imaging.ImageLimits;

/**
 * Turns an uploaded file into the event the rest of the system reads: decoded within limits, made
 * canonical (8-bit grayscale PNG, longer side at most 1024 px) and given an id derived from the
 * canonical pixels, so the same image always gets the same id and downstream writes keyed by it are
 * idempotent.
 */
public final class ImageIntake {

    /** Source name of HTTP uploads in {@link ImageReceived#source()}. */
    public static final String HTTP_UPLOAD = "http-upload";

    private final ImageDecoder decoder;
    private final Clock clock;

    public ImageIntake(ImageLimits limits, Clock clock) {
        this.decoder = new ImageDecoder(limits);
        this.clock = clock;
    }

    /**
     * @throws org.cxrscreen.imaging.ImageRejectedException saying what was wrong and what is accepted
     */
    public ImageReceived accept(byte[] upload, String source) {
        Instant received = clock.instant();
        DecodedImage decoded = decoder.decode(upload);
        GrayImage original = decoded.image();
        GrayImage canonical = CanonicalImages.canonicalise(original);
        byte[] png = CanonicalImages.encodePng(canonical);
        return ImageReceived.of(imageId(canonical), source, decoded.format().name(), original.width(),
                original.height(), canonical.width(), canonical.height(), received, png);
    }

    /** 32 hex digits: the first 128 bits of SHA-256 over the canonical size and samples. */
    static String imageId(GrayImage canonical) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(ByteBuffer.allocate(8).putInt(canonical.width()).putInt(canonical.height()).array());
            sha.update(canonical.pixels());
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
