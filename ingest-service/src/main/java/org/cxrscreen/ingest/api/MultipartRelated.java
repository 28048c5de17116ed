package org.cxrscreen.ingest.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code multipart/related} body (RFC 2387) as STOW-RS sends it, split into parts. Only what STOW-RS
 * needs: the boundary and type parameters, each part's headers and bytes.
 */
final class MultipartRelated {

    /** One part: its headers (lower-case names) and its content. */
    record Part(Map<String, String> headers, byte[] content) {
        String contentType() {
            String type = headers.get("content-type");
            return type == null ? null : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        }
    }

    private MultipartRelated() {
    }

    /** A parameter of a media type ({@code boundary}, {@code type}), unquoted; null when absent. */
    static String parameter(String mediaType, String name) {
        if (mediaType == null) {
            return null;
        }
        for (String param : mediaType.split(";")) {
            int eq = param.indexOf('=');
            if (eq > 0 && param.substring(0, eq).trim().equalsIgnoreCase(name)) {
                String value = param.substring(eq + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return value;
            }
        }
        return null;
    }

    /**
     * @throws IllegalArgumentException saying what is wrong with the body
     */
    static List<Part> parse(byte[] body, String boundary) {
        if (boundary == null || boundary.isEmpty() || boundary.length() > 200) { // RFC 2046 says 70 at most; Orthanc sends 73
            throw new IllegalArgumentException("the Content-Type has no valid boundary parameter");
        }
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(body, delimiter, 0);
        if (at < 0) {
            throw new IllegalArgumentException("the body does not contain the boundary '" + boundary + "'");
        }
        List<Part> parts = new ArrayList<>();
        int pos = at + delimiter.length;
        while (true) {
            if (pos + 2 <= body.length && body[pos] == '-' && body[pos + 1] == '-') {
                return parts;
            }
            pos = skipLineEnd(body, pos);
            int headersEnd = indexOf(body, new byte[] {'\r', '\n', '\r', '\n'}, pos);
            Map<String, String> headers = new LinkedHashMap<>();
            int contentStart;
            if (pos + 2 <= body.length && body[pos] == '\r' && body[pos + 1] == '\n') {
                contentStart = pos + 2;
            } else if (headersEnd < 0) {
                throw new IllegalArgumentException("part " + (parts.size() + 1) + " has no end of its headers");
            } else {
                for (String line : new String(body, pos, headersEnd - pos, StandardCharsets.ISO_8859_1).split("\r\n")) {
                    int colon = line.indexOf(':');
                    if (colon > 0) {
                        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                                line.substring(colon + 1).trim());
                    }
                }
                contentStart = headersEnd + 4;
            }
            byte[] next = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
            int end = indexOf(body, next, contentStart);
            if (end < 0) {
                throw new IllegalArgumentException("part " + (parts.size() + 1) + " is not closed by the boundary");
            }
            byte[] content = new byte[end - contentStart];
            System.arraycopy(body, contentStart, content, 0, content.length);
            parts.add(new Part(headers, content));
            pos = end + next.length;
        }
    }

    private static int skipLineEnd(byte[] body, int pos) {
        while (pos < body.length && (body[pos] == ' ' || body[pos] == '\t')) {
            pos++;
        }
        if (pos + 1 < body.length && body[pos] == '\r' && body[pos + 1] == '\n') {
            return pos + 2;
        }
        throw new IllegalArgumentException("a boundary line is not followed by CRLF");
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = Math.max(0, from), last = data.length - pattern.length; i <= last; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
