package org.cxrscreen.dicom.net;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import org.cxrscreen.dicom.DicomObject;
import org.cxrscreen.dicom.DicomReader;

/**
 * DIMSE messages over an association's socket: a message is a command set and, when the command
 * says so, a data set, each sent as P-DATA-TF fragments no longer than the peer accepts and
 * reassembled on receipt. Received PDUs are bounded by the length this side announced; a data set
 * beyond {@code maxDataset} bytes is read to its end but not kept.
 */
final class DimseChannel {

    /** What arrives on an association. */
    sealed interface Incoming {
    }

    /**
     * A whole message.
     *
     * @param dataset null when the command has none, or when it was too large to keep
     * @param datasetLength bytes of data set received
     */
    record Message(int contextId, DicomObject command, byte[] dataset, long datasetLength) implements Incoming {
    }

    record ReleaseRequested() implements Incoming {
    }

    record ReleaseResponse() implements Incoming {
    }

    record Aborted() implements Incoming {
    }

    /** A PDU that has no place in the protocol at this point. */
    record Unexpected(int type) implements Incoming {
    }

    static final int NO_DATASET = 0x0101;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private long maxReceivePdu;
    private final long maxDataset;

    private int contextId = -1;
    private ByteArrayOutputStream command = new ByteArrayOutputStream();
    private DicomObject parsedCommand;
    private ByteArrayOutputStream dataset;
    private long datasetLength;

    DimseChannel(Socket socket, long maxReceivePdu, long maxDataset) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        this.maxReceivePdu = maxReceivePdu;
        this.maxDataset = maxDataset;
    }

    /** The longest PDU body read from now on. */
    void maxReceivePdu(long bytes) {
        this.maxReceivePdu = bytes;
    }

    Pdu readPdu() throws IOException {
        return Pdu.read(in, maxReceivePdu);
    }

    void write(Pdu pdu) throws IOException {
        pdu.write(out);
    }

    /** The next message or association event; null when the peer closed the connection. */
    Incoming receive() throws IOException {
        while (true) {
            Pdu pdu = readPdu();
            if (pdu == null) {
                return null;
            }
            switch (pdu.type()) {
                case Pdu.P_DATA_TF -> {
                    Message message = pdata(pdu.body());
                    if (message != null) {
                        return message;
                    }
                }
                case Pdu.RELEASE_RQ -> {
                    return new ReleaseRequested();
                }
                case Pdu.RELEASE_RP -> {
                    return new ReleaseResponse();
                }
                case Pdu.ABORT -> {
                    return new Aborted();
                }
                default -> {
                    return new Unexpected(pdu.type());
                }
            }
        }
    }

    /** Adds a P-DATA-TF's fragments; returns a message once one is complete. */
    private Message pdata(byte[] body) throws IOException {
        int pos = 0;
        Message complete = null;
        while (pos + 6 <= body.length) {
            long length = Pdu.u32(body, pos);
            if (length < 2 || pos + 4 + length > body.length) {
                throw new IOException("a presentation data value's length runs past its PDU");
            }
            int context = body[pos + 4] & 0xFF;
            int header = body[pos + 5] & 0xFF;
            int from = pos + 6;
            int size = (int) length - 2;
            boolean isCommand = (header & 1) != 0;
            boolean last = (header & 2) != 0;
            if (complete != null) {
                throw new IOException("fragments of a new message in the PDU that ended the last one");
            }
            if (contextId >= 0 && context != contextId) {
                throw new IOException("a message switched presentation context from " + contextId + " to " + context);
            }
            contextId = context;
            if (isCommand) {
                if (parsedCommand != null) {
                    throw new IOException("command fragments after the command was complete");
                }
                if (command.size() + size > 64 * 1024) {
                    throw new IOException("a command set longer than 64 KiB");
                }
                command.write(body, from, size);
                if (last) {
                    parsedCommand = DicomReader.readCommand(command.toByteArray());
                    if (parsedCommand.uint16(0x00000800, NO_DATASET) == NO_DATASET) {
                        complete = finish(null);
                    } else {
                        dataset = new ByteArrayOutputStream();
                        datasetLength = 0;
                    }
                }
            } else {
                if (parsedCommand == null || dataset == null) {
                    throw new IOException("data set fragments before their command");
                }
                datasetLength += size;
                if (datasetLength <= maxDataset) {
                    dataset.write(body, from, size);
                }
                if (last) {
                    complete = finish(datasetLength <= maxDataset ? dataset.toByteArray() : null);
                }
            }
            pos = from + size;
        }
        return complete;
    }

    private Message finish(byte[] data) {
        Message message = new Message(contextId, parsedCommand, data, datasetLength);
        contextId = -1;
        command = new ByteArrayOutputStream();
        parsedCommand = null;
        dataset = null;
        datasetLength = 0;
        return message;
    }

    /** Sends a message, fragmenting it to fit the peer's maximum PDU length (0: no limit). */
    void send(int context, byte[] commandSet, byte[] datasetBytes, long peerMaxPdu) throws IOException {
        long limit = peerMaxPdu == 0 ? 1 << 20 : peerMaxPdu;
        int fragment = (int) Math.max(16, Math.min(limit, 1 << 20) - 6);
        sendFragments(context, commandSet, true, fragment);
        if (datasetBytes != null) {
            sendFragments(context, datasetBytes, false, fragment);
        }
        out.flush();
    }

    private void sendFragments(int context, byte[] data, boolean isCommand, int fragment) throws IOException {
        int pos = 0;
        do {
            int size = Math.min(fragment, data.length - pos);
            boolean last = pos + size >= data.length;
            int pdvLength = size + 2;
            int header = (isCommand ? 1 : 0) | (last ? 2 : 0);
            int pduLength = pdvLength + 4;
            byte[] head = {Pdu.P_DATA_TF, 0, (byte) (pduLength >>> 24), (byte) (pduLength >>> 16),
                    (byte) (pduLength >>> 8), (byte) pduLength, (byte) (pdvLength >>> 24), (byte) (pdvLength >>> 16),
                    (byte) (pdvLength >>> 8), (byte) pdvLength, (byte) context, (byte) header};
            out.write(head);
            out.write(data, pos, size);
            pos += size;
        } while (pos < data.length);
    }

    void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
