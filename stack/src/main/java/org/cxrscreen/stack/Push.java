package org.cxrscreen.stack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;
import org.cxrscreen.dicom.DicomException;
import org.cxrscreen.dicom.DicomReader;
import org.cxrscreen.dicom.Tags;
import org.cxrscreen.dicom.net.Dimse;
import org.cxrscreen.dicom.net.StoreScu;

/**
 * {@code cxr push}: sends files or folders (recursively) to the ingest, by HTTP upload (PNG, JPEG or
 * DICOM), by STOW-RS, or by C-STORE over one association. Prints one line per file; exits 1 when any
 * was refused.
 */
public final class Push {

    static final String USAGE = """
            usage: cxr push [--http URL | --stow URL | --c-store HOST:PORT] [--aec AE] [--aet AE] FILE_OR_DIR...
              --http URL          POST each file to the upload API (default http://localhost:8081/api/v1/images)
              --stow URL          DICOMweb STOW-RS, one request per file (e.g. http://localhost:8081/dicom-web/studies)
              --c-store HOST:PORT C-STORE over one association (e.g. localhost:11112)
              --aec AE            called AE title for C-STORE (default CXRSCREEN)
              --aet AE            calling AE title for C-STORE (default CXRPUSH)
            """;

    private Push() {
    }

    public static void main(String[] args) throws Exception {
        try {
            System.exit(run(args, System.out));
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
        }
    }

    /**
     * Sends and prints one line per file.
     *
     * @return 0 when every file was accepted, 1 otherwise
     * @throws IllegalArgumentException for a wrong command line
     */
    public static int run(String[] args, PrintStream out) throws Exception {
        String mode = "http";
        String target = "http://localhost:8081/api/v1/images";
        String called = "CXRSCREEN";
        String calling = "CXRPUSH";
        List<Path> inputs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                out.print(USAGE);
                return 0;
            }
            if (arg.startsWith("--")) {
                if (i + 1 >= args.length) {
                    fail(arg + " needs a value");
                }
                String value = args[++i];
                switch (arg) {
                    case "--http" -> { mode = "http"; target = value; }
                    case "--stow" -> { mode = "stow"; target = value; }
                    case "--c-store" -> { mode = "c-store"; target = value; }
                    case "--aec" -> called = value;
                    case "--aet" -> calling = value;
                    default -> fail("unknown option " + arg);
                }
            } else {
                inputs.add(Path.of(arg));
            }
        }
        List<Path> files = files(inputs);
        if (files.isEmpty()) {
            fail("no files to send");
        }
        int refused = switch (mode) {
            case "c-store" -> cStore(files, target, called, calling, out);
            default -> http(files, mode.equals("stow"), URI.create(target), out);
        };
        out.printf("%d of %d sent and accepted%n", files.size() - refused, files.size());
        return refused == 0 ? 0 : 1;
    }

    private static void fail(String message) {
        throw new IllegalArgumentException(message);
    }

    static List<Path> files(List<Path> inputs) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                try (Stream<Path> walk = Files.walk(input)) {
                    walk.filter(Files::isRegularFile).sorted().forEach(files::add);
                }
            } else if (Files.isRegularFile(input)) {
                files.add(input);
            } else {
                fail(input + " is neither a file nor a folder");
            }
        }
        return files;
    }

    private static int http(List<Path> files, boolean stow, URI target, PrintStream out) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        int refused = 0;
        for (Path file : files) {
            byte[] data = Files.readAllBytes(file);
            HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(60));
            if (stow) {
                String boundary = UUID.randomUUID().toString();
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                body.write(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                body.write(data);
                body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
                request.header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                        .header("Accept", "application/dicom+json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
            } else {
                request.header("Content-Type", mediaType(file, data)).POST(HttpRequest.BodyPublishers.ofByteArray(data));
            }
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            boolean ok = response.statusCode() / 100 == 2 && !(stow && response.statusCode() == 202);
            if (!ok) {
                refused++;
            }
            out.printf("%s  %d %s%n", file, response.statusCode(), response.body().replace('\n', ' '));
        }
        return refused;
    }

    private static String mediaType(Path file, byte[] data) {
        if (DicomReader.isPart10(data)) {
            return "application/dicom";
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".png") ? "image/png" : name.endsWith(".jpg") || name.endsWith(".jpeg") ? "image/jpeg"
                : "application/octet-stream";
    }

    /** One prepared C-STORE: what the file says it is, and its data set bytes. */
    private record Instance(Path file, String sopClass, String sopInstance, String syntax, byte[] dataset) {
        StoreScu.Offer offer() {
            return new StoreScu.Offer(sopClass, syntax);
        }
    }

    private static int cStore(List<Path> files, String target, String called, String calling, PrintStream out)
            throws IOException {
        int colon = target.lastIndexOf(':');
        if (colon < 0) {
            fail("--c-store needs HOST:PORT, was " + target);
        }
        String host = target.substring(0, colon);
        int port = Integer.parseInt(target.substring(colon + 1));
        int refused = 0;
        List<Instance> instances = new ArrayList<>();
        for (Path file : files) {
            byte[] data = Files.readAllBytes(file);
            try {
                DicomReader.Part10 part10 = DicomReader.readPart10(data);
                instances.add(new Instance(file, part10.dataset().string(Tags.SOP_CLASS_UID),
                        part10.dataset().string(Tags.SOP_INSTANCE_UID), part10.transferSyntaxUid(),
                        Arrays.copyOfRange(data, part10.datasetOffset(), data.length)));
            } catch (DicomException e) {
                refused++;
                out.printf("%s  not sent: %s%n", file, e.getMessage());
            }
        }
        if (instances.isEmpty()) {
            return refused;
        }
        // StoreScu proposes each distinct offer once
        List<StoreScu.Offer> offers = instances.stream().map(Instance::offer).toList();
        try (StoreScu scu = StoreScu.open(host, port, called, calling, offers, Duration.ofSeconds(30))) {
            for (Instance instance : instances) {
                if (!scu.accepts(instance.offer())) {
                    refused++;
                    out.printf("%s  not sent: the peer accepts no presentation context for SOP class %s in %s%n",
                            instance.file(), instance.sopClass(), instance.syntax());
                    continue;
                }
                Dimse.Status status = scu.store(instance.sopClass(), instance.sopInstance(), instance.syntax(),
                        instance.dataset());
                if (!status.success()) {
                    refused++;
                }
                out.printf("%s  %s%n", instance.file(), status.success() ? "stored"
                        : String.format("refused (status %04X): %s", status.code(), status.comment()));
            }
        }
        return refused;
    }
}
