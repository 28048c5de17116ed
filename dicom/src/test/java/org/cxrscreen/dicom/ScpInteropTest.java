package org.cxrscreen.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.cxrscreen.dicom.net.Dimse;
import org.cxrscreen.dicom.net.StoreScp;
import org.cxrscreen.dicom.net.StoreScu;
import org.cxrscreen.testsupport.Processes;
import org.cxrscreen.testsupport.Processes.Result;
import org.cxrscreen.testsupport.SharedData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SCP against dcmtk's real peers ({@code echoscu}, {@code storescu}), the SCU against dcmtk's
 * {@code storescp}, and the SCP against misbehaving peers.
 */
class ScpInteropTest {

    private final List<StoreScp.StoreRequest> received = new CopyOnWriteArrayList<>();
    private final List<String> aborts = new CopyOnWriteArrayList<>();
    private StoreScp scp;

    @TempDir
    Path temp;

    @BeforeEach
    void start() throws IOException {
        scp = StoreScp.start(new StoreScp.Config(0, "CXRSCREEN", Set.of(), 4, 16384, 64L * 1024 * 1024,
                Duration.ofSeconds(2), Duration.ofSeconds(3)), request -> {
                    received.add(request);
                    return request.sopInstanceUid().endsWith("9") ? Dimse.Status.notScreened("not screened: test")
                            : Dimse.Status.SUCCESS;
                }, new StoreScp.Listener() {
                    @Override
                    public void aborted(String reason) {
                        aborts.add(reason);
                    }
                });
    }

    @AfterEach
    void stop() {
        scp.close();
    }

    @Test
    void echoscuGetsAnAnswer() throws Exception {
        Result result = run("echoscu", "-aec", "CXRSCREEN", "localhost", String.valueOf(scp.port()));

        assertThat(result.status()).as(result.output()).isZero();
    }

    @Test
    void storescuSendsEveryAcceptedFixtureInItsOwnSyntax() throws Exception {
        for (String name : List.of("dx-normal-12bit-mono2.dcm", "cr-pneumonia-12bit-mono1-implicit.dcm",
                "cr-covid-jpeg-baseline.dcm")) {
            // storescu proposes uncompressed syntaxes by default and JPEG baseline only when asked (-xy)
            String propose = name.contains("jpeg") ? "-xy" : "-x=";
            Result result = run("storescu", "-aec", "CXRSCREEN", propose, "localhost", String.valueOf(scp.port()),
                    SharedData.dicom(name).toString());
            assertThat(result.status()).as(name + ": " + result.output()).isZero();
        }

        assertThat(received).hasSize(3);
        for (StoreScp.StoreRequest request : received) {
            DicomObject ds = DicomReader.readDataset(request.dataset(), request.transferSyntaxUid());
            assertThat(ds.string(Tags.SOP_INSTANCE_UID)).isEqualTo(request.sopInstanceUid());
            assertThat(ds.contains(Tags.PIXEL_DATA)).isTrue();
        }
        assertThat(received.get(2).transferSyntaxUid()).isEqualTo(TransferSyntax.JPEG_BASELINE.uid());
    }

    @Test
    void aWrongCalledAeTitleIsRejectedAndACtStorageContextIsNotAccepted() throws Exception {
        Result wrongAe = run("echoscu", "-aec", "SOMEONE", "localhost", String.valueOf(scp.port()));
        Result ct = run("storescu", "-aec", "CXRSCREEN", "localhost", String.valueOf(scp.port()),
                SharedData.dicom("reject-ct-abdomen.dcm").toString());

        assertThat(wrongAe.status()).isNotZero();
        assertThat(wrongAe.output()).containsIgnoringCase("Called AE Title Not Recognized");
        assertThat(ct.output()).containsIgnoringCase("no presentation context");
        assertThat(received).isEmpty();
    }

    @Test
    void theScuStoresIntoDcmtkStorescp() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Process storescp = new ProcessBuilder("storescp", "-aet", "DCMTK", "-od", temp.toString(),
                String.valueOf(port)).redirectErrorStream(true).start();
        try {
            Thread.sleep(500);
            byte[] file = SharedData.read(SharedData.dicom("cr-pneumonia-12bit-mono1-implicit.dcm"));
            DicomReader.Part10 part10 = DicomReader.readPart10(file);
            String sopClass = part10.dataset().string(Tags.SOP_CLASS_UID);
            String instance = part10.dataset().string(Tags.SOP_INSTANCE_UID);
            byte[] dataset = java.util.Arrays.copyOfRange(file, part10.datasetOffset(), file.length);
            try (StoreScu scu = StoreScu.open("localhost", port, "DCMTK", "CXRSCREEN",
                    List.of(new StoreScu.Offer(sopClass, part10.transferSyntaxUid())), Duration.ofSeconds(5))) {
                assertThat(scu.echo().success()).isTrue();
                assertThat(scu.store(sopClass, instance, part10.transferSyntaxUid(), dataset).success()).isTrue();
            }
            try (var stored = Files.list(temp)) {
                Path copy = stored.findFirst().orElseThrow();
                DicomObject back = DicomReader.readPart10(Files.readAllBytes(copy)).dataset();
                assertThat(back.string(Tags.SOP_INSTANCE_UID)).isEqualTo(instance);
                assertThat(back.bytes(Tags.PIXEL_DATA)).isEqualTo(part10.dataset().bytes(Tags.PIXEL_DATA));
            }
        } finally {
            storescp.destroy();
            storescp.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void garbageAStallAndAnAbsurdPduLengthAreAbortedWhileOthersAreServed() throws Exception {
        try (Socket stalling = new Socket("localhost", scp.port());
                Socket garbage = new Socket("localhost", scp.port());
                Socket huge = new Socket("localhost", scp.port())) {
            garbage.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            huge.getOutputStream().write(new byte[] {1, 0, 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});

            Result echo = run("echoscu", "-aec", "CXRSCREEN", "localhost", String.valueOf(scp.port()));
            assertThat(echo.status()).as(echo.output()).isZero();

            assertThat(readUntilClosed(garbage)).isLessThan(64);
            assertThat(readUntilClosed(huge)).isLessThan(64);
            long start = System.nanoTime();
            readUntilClosed(stalling);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
        assertThat(String.join("\n", aborts)).contains("more than", "silent");
    }

    @Test
    void aRefusalStatusReachesTheSenderWithItsComment() throws Exception {
        byte[] dataset = new DicomWriter(true).string(Tags.SOP_CLASS_UID, "UI", SopClass.COMPUTED_RADIOGRAPHY.uid())
                .string(Tags.SOP_INSTANCE_UID, "UI", "1.2.3.9").toByteArray();
        try (StoreScu scu = StoreScu.open("localhost", scp.port(), "CXRSCREEN", "TEST",
                List.of(new StoreScu.Offer(SopClass.COMPUTED_RADIOGRAPHY.uid(), TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN
                        .uid())), Duration.ofSeconds(5))) {
            Dimse.Status status = scu.store(SopClass.COMPUTED_RADIOGRAPHY.uid(), "1.2.3.9",
                    TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid(), dataset);

            assertThat(status.code()).isEqualTo(0xC001);
            assertThat(status.comment()).isEqualTo("not screened: test");
        }
    }

    private static int readUntilClosed(Socket socket) throws IOException {
        socket.setSoTimeout(15_000);
        InputStream in = socket.getInputStream();
        int total = 0;
        try {
            while (in.read() >= 0) {
                total++;
            }
        } catch (java.net.SocketException e) {
            return total;
        }
        return total;
    }

    private static Result run(String... command) {
        return Processes.run(Duration.ofSeconds(60), command);
    }
}
