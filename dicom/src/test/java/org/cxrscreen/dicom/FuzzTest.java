package org.cxrscreen.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cxrscreen.dicom.net.Dimse;
import org.cxrscreen.dicom.net.StoreScp;
import org.cxrscreen.dicom.net.StoreScu;
import org.cxrscreen.imaging.ImageLimits;
import org.cxrscreen.testsupport.SharedData;
import org.junit.jupiter.api.Test;

/**
 * Mutated fixtures, thousands of them: each is either screened or refused with a {@link DicomException}
 * (never another exception, never a hang), and over the network each mutated C-STORE gets an answer
 * while a well-behaved association beside it is served throughout.
 */
class FuzzTest {

    private static final String[] FIXTURES = {"dx-normal-12bit-mono2.dcm", "cr-pneumonia-12bit-mono1-implicit.dcm",
        "cr-covid-jpeg-baseline.dcm", "reject-lateral-view.dcm", "reject-no-pixel-data.dcm"};
    /** Small enough that a mutated size field cannot make one case slow, large enough for the fixtures. */
    private static final ImageLimits LIMITS = new ImageLimits(32L * 1024 * 1024, 4_200_000, 4096);
    private final DicomImages images = new DicomImages(new Eligibility(false), LIMITS,
            new Deidentifier("fuzz-test-key-of-at-least-32-characters"));

    @Test
    void thousandsOfMutatedFilesAreScreenedOrRefusedWithAReason() throws Exception {
        List<byte[]> originals = new ArrayList<>();
        for (String name : FIXTURES) {
            originals.add(SharedData.read(SharedData.dicom(name)));
        }
        Random random = new Random(20261123L);
        int cases = 3000;
        int screened = 0;
        int refused = 0;
        ExecutorService worker = Executors.newSingleThreadExecutor();
        long started = System.nanoTime();
        try {
            for (int i = 0; i < cases; i++) {
                byte[] original = originals.get(random.nextInt(originals.size()));
                byte[] mutated = mutate(original, random);
                Future<Boolean> outcome = worker.submit(() -> {
                    try {
                        images.fromPart10(mutated);
                        return true;
                    } catch (DicomException e) {
                        assertThat(e.getMessage()).isNotBlank();
                        return false;
                    }
                });
                // a failure other than DicomException, or no answer in time, fails the test here
                if (outcome.get(5, TimeUnit.SECONDS)) {
                    screened++;
                } else {
                    refused++;
                }
            }
        } finally {
            worker.shutdownNow();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("fuzz: %d cases in %.1f s: %d screened, %d refused%n", cases, seconds, screened, refused);
        assertThat(refused).isGreaterThan(cases / 10);
        assertThat(screened).isGreaterThan(0);
    }

    @Test
    void mutatedCStoresAreAnsweredWhileAWellBehavedAssociationIsServed() throws Exception {
        byte[] good = SharedData.read(SharedData.dicom("cr-pneumonia-12bit-mono1-implicit.dcm"));
        DicomReader.Part10 goodFile = DicomReader.readPart10(good);
        byte[] goodDataset = Arrays.copyOfRange(good, goodFile.datasetOffset(), good.length);
        String sopClass = goodFile.dataset().string(Tags.SOP_CLASS_UID);
        String syntax = goodFile.transferSyntaxUid();
        AtomicInteger handled = new AtomicInteger();
        try (StoreScp scp = StoreScp.start(new StoreScp.Config(0, "FUZZ", Set.of(), 8, 16384, 16L * 1024 * 1024,
                Duration.ofSeconds(2), Duration.ofSeconds(5)), request -> {
                    handled.incrementAndGet();
                    try {
                        images.fromDataset(request.dataset(), request.transferSyntaxUid());
                        return Dimse.Status.SUCCESS;
                    } catch (DicomException e) {
                        return Dimse.Status.cannotUnderstand(e.getMessage());
                    }
                }, new StoreScp.Listener() { })) {
            ExecutorService steady = Executors.newSingleThreadExecutor();
            Future<Integer> wellBehaved = steady.submit(() -> {
                int stored = 0;
                try (StoreScu scu = StoreScu.open("localhost", scp.port(), "FUZZ", "STEADY",
                        List.of(new StoreScu.Offer(sopClass, syntax)), Duration.ofSeconds(5))) {
                    for (int i = 0; i < 20; i++) {
                        assertThat(scu.store(sopClass, "1.2.3." + i, syntax, goodDataset).success()).isTrue();
                        stored++;
                    }
                }
                return stored;
            });
            Random random = new Random(7L);
            int answered = 0;
            int refused = 0;
            try (StoreScu scu = StoreScu.open("localhost", scp.port(), "FUZZ", "FUZZER",
                    List.of(new StoreScu.Offer(sopClass, syntax)), Duration.ofSeconds(5))) {
                for (int i = 0; i < 300; i++) {
                    byte[] mutated = mutateDataset(goodDataset, random);
                    Dimse.Status status = scu.store(sopClass, "1.2.4." + i, syntax, mutated);
                    answered++;
                    if (!status.success()) {
                        refused++;
                        assertThat(status.comment()).isNotBlank();
                    }
                }
            }
            assertThat(wellBehaved.get(60, TimeUnit.SECONDS)).isEqualTo(20);
            steady.shutdown();
            assertThat(answered).isEqualTo(300);
            assertThat(refused).isGreaterThan(30);
            assertThat(handled.get()).isEqualTo(320);
        }
    }

    /** One to three of: flipped bytes, a truncation, a lying 32-bit length, inserted or deleted bytes. */
    static byte[] mutate(byte[] original, Random random) {
        byte[] data = original;
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            data = mutateOnce(data, random, 132);
        }
        return data;
    }

    private static byte[] mutateDataset(byte[] dataset, Random random) {
        return mutateOnce(dataset, random, 0);
    }

    private static byte[] mutateOnce(byte[] data, Random random, int headerStart) {
        if (data.length < 8) {
            return data;
        }
        // most structure is in the first few kilobytes: aim there nine times out of ten
        int span = random.nextInt(10) == 0 ? data.length : Math.min(data.length, headerStart + 4096);
        int at = random.nextInt(Math.max(1, span));
        switch (random.nextInt(6)) {
            case 0 -> {
                byte[] copy = data.clone();
                for (int i = 0, n = 1 + random.nextInt(8); i < n; i++) {
                    copy[random.nextInt(span)] ^= (byte) (1 << random.nextInt(8));
                }
                return copy;
            }
            case 1 -> {
                return Arrays.copyOf(data, at);
            }
            case 2 -> {
                byte[] copy = data.clone();
                long[] lies = {0xFFFFFFFFL, 0x7FFFFFFFL, 0xFFFFFFF0L, random.nextInt() & 0xFFFFFFFFL, 0, 1, 3};
                long lie = lies[random.nextInt(lies.length)];
                int pos = Math.min(at & ~1, copy.length - 4);
                if (pos < 0) {
                    return copy;
                }
                for (int i = 0; i < 4; i++) {
                    copy[pos + i] = (byte) (lie >>> (8 * i));
                }
                return copy;
            }
            case 3 -> {
                byte[] insert = new byte[1 + random.nextInt(64)];
                random.nextBytes(insert);
                byte[] copy = new byte[data.length + insert.length];
                System.arraycopy(data, 0, copy, 0, at);
                System.arraycopy(insert, 0, copy, at, insert.length);
                System.arraycopy(data, at, copy, at + insert.length, data.length - at);
                return copy;
            }
            case 4 -> {
                int cut = Math.min(data.length - at, 1 + random.nextInt(64));
                byte[] copy = new byte[data.length - cut];
                System.arraycopy(data, 0, copy, 0, at);
                System.arraycopy(data, at + cut, copy, at, data.length - at - cut);
                return copy;
            }
            default -> {
                // a 16-bit value made extreme: rows, columns, bits allocated and VRs' short lengths live here
                byte[] copy = data.clone();
                int pos = Math.min(at & ~1, copy.length - 2);
                if (pos < 0) {
                    return copy;
                }
                int value = new int[] {0xFFFF, 0x8000, 0, 1, 0x7FFF}[random.nextInt(5)];
                copy[pos] = (byte) value;
                copy[pos + 1] = (byte) (value >>> 8);
                return copy;
            }
        }
    }
}
