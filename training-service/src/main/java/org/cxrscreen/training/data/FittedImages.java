package org.cxrscreen.training.data;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.cxrscreen.imaging.CanonicalImages;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.imaging.ImageDecoder;
import org.cxrscreen.imaging.ImageLimits;
import org.cxrscreen.imaging.ImageRejectedException;
import org.cxrscreen.imaging.Preprocessor;

/**
 * Images of a data set read the way the ingest reads an upload (decode, canonical image) and fitted
 * by the shared {@link Preprocessor}, kept in memory as 8-bit squares (50 KB each at 224 px), so an
 * epoch costs no decoding. Tensors are built per batch with {@link Preprocessor#toTensor}.
 */
public final class FittedImages {

    /** A file that could not be read, and why. */
    public record Failure(LabelledImage image, String reason) {
    }

    private final List<LabelledImage> images;
    private final List<GrayImage> fitted;
    private final List<Failure> failures;

    private FittedImages(List<LabelledImage> images, List<GrayImage> fitted, List<Failure> failures) {
        this.images = images;
        this.fitted = fitted;
        this.failures = failures;
    }

    /** The training path's view of one file: decode, make canonical, fit. */
    public static GrayImage fit(byte[] encoded, Preprocessor preprocessor, ImageDecoder decoder) {
        return preprocessor.fit(CanonicalImages.fromEncoded(encoded, decoder));
    }

    /** Reads every image with {@code threads} threads; unreadable files are left out and listed. */
    public static FittedImages load(List<LabelledImage> images, Preprocessor preprocessor, int threads) {
        ImageDecoder decoder = new ImageDecoder(ImageLimits.DEFAULT);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<Future<Object>> results = new ArrayList<>(images.size());
            for (LabelledImage image : images) {
                results.add(pool.submit(() -> {
                    try {
                        return fit(Files.readAllBytes(image.file()), preprocessor, decoder);
                    } catch (IOException | ImageRejectedException e) {
                        return new Failure(image, e.getMessage());
                    }
                }));
            }
            List<LabelledImage> kept = new ArrayList<>(images.size());
            List<GrayImage> fitted = new ArrayList<>(images.size());
            List<Failure> failures = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                Object result = results.get(i).get();
                if (result instanceof GrayImage image) {
                    kept.add(images.get(i));
                    fitted.add(image);
                } else {
                    failures.add((Failure) result);
                }
            }
            return new FittedImages(Collections.unmodifiableList(kept), Collections.unmodifiableList(fitted),
                    Collections.unmodifiableList(failures));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading images", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read images", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    public int size() {
        return images.size();
    }

    public LabelledImage image(int index) {
        return images.get(index);
    }

    public GrayImage fitted(int index) {
        return fitted.get(index);
    }

    public List<LabelledImage> images() {
        return images;
    }

    public List<Failure> failures() {
        return failures;
    }
}
