package org.cxrscreen.dicom.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cxrscreen.dicom.SopClass;
import org.cxrscreen.dicom.net.Association.ContextResult;
import org.cxrscreen.dicom.net.Association.ProposedContext;

/**
 * A store service class user: opens an association proposing given (SOP class, transfer syntax)
 * pairs and Verification, sends C-STORE and C-ECHO requests, and releases. Used by {@code cxr push}
 * and by tests; it sends data sets as they are, without transcoding.
 */
public final class StoreScu implements AutoCloseable {

    /** One pair to propose. */
    public record Offer(String sopClassUid, String transferSyntaxUid) {
    }

    private final Socket socket;
    private final DimseChannel channel;
    private final Map<Offer, Integer> accepted;
    private final int verificationContext;
    private final long peerMaxPdu;
    private int messageId = 1;

    private StoreScu(Socket socket, DimseChannel channel, Map<Offer, Integer> accepted, int verificationContext,
            long peerMaxPdu) {
        this.socket = socket;
        this.channel = channel;
        this.accepted = accepted;
        this.verificationContext = verificationContext;
        this.peerMaxPdu = peerMaxPdu;
    }

    /**
     * Opens an association.
     *
     * @throws IOException when the peer rejects or aborts it, naming the rejection
     */
    public static StoreScu open(String host, int port, String calledAe, String callingAe, List<Offer> offers,
            Duration timeout) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
        socket.setSoTimeout((int) timeout.toMillis());
        socket.setTcpNoDelay(true);
        DimseChannel channel = new DimseChannel(socket, 1 << 20, 1 << 20);
        List<ProposedContext> contexts = new ArrayList<>();
        Map<Integer, Offer> byId = new HashMap<>();
        int id = 1;
        contexts.add(new ProposedContext(id, SopClass.VERIFICATION, List.of("1.2.840.10008.1.2")));
        int verification = id;
        for (Offer offer : offers.stream().distinct().toList()) {
            id += 2;
            if (id > 255) {
                break;
            }
            contexts.add(new ProposedContext(id, offer.sopClassUid(), List.of(offer.transferSyntaxUid())));
            byId.put(id, offer);
        }
        channel.write(new Association.Request(1, calledAe, callingAe, contexts, 1 << 16, Pdu.IMPLEMENTATION_CLASS_UID)
                .encode());
        Pdu answer = channel.readPdu();
        if (answer == null || answer.type() == Pdu.ABORT) {
            socket.close();
            throw new IOException("the association was aborted by " + host + ":" + port);
        }
        if (answer.type() == Pdu.ASSOCIATE_RJ) {
            socket.close();
            throw new IOException("the association was rejected (result " + (answer.body()[1] & 0xFF) + ", source "
                    + (answer.body()[2] & 0xFF) + ", reason " + (answer.body()[3] & 0xFF) + ")");
        }
        if (answer.type() != Pdu.ASSOCIATE_AC) {
            socket.close();
            throw new IOException("unexpected answer to an association request: PDU type " + answer.type());
        }
        Association.Accept accept = Association.Accept.parse(answer.body());
        Map<Offer, Integer> accepted = new HashMap<>();
        int verificationContext = -1;
        for (ContextResult r : accept.results()) {
            if (r.result() != ContextResult.ACCEPTED) {
                continue;
            }
            if (r.id() == verification) {
                verificationContext = r.id();
            } else if (byId.containsKey(r.id())) {
                accepted.put(byId.get(r.id()), r.id());
            }
        }
        return new StoreScu(socket, channel, accepted, verificationContext, accept.maxPduLength());
    }

    /** True when the peer accepted this pair. */
    public boolean accepts(Offer offer) {
        return accepted.containsKey(offer);
    }

    /**
     * Sends one C-STORE and waits for its response.
     *
     * @throws IOException when the pair was not accepted or the association fails
     */
    public Dimse.Status store(String sopClassUid, String sopInstanceUid, String transferSyntaxUid, byte[] dataset)
            throws IOException {
        Integer context = accepted.get(new Offer(sopClassUid, transferSyntaxUid));
        if (context == null) {
            throw new IOException("the peer accepted no presentation context for " + sopClassUid + " in "
                    + transferSyntaxUid);
        }
        channel.send(context, Dimse.storeRequest(messageId++, sopClassUid, sopInstanceUid), dataset, peerMaxPdu);
        return response(Dimse.C_STORE_RSP);
    }

    public Dimse.Status echo() throws IOException {
        if (verificationContext < 0) {
            throw new IOException("the peer did not accept Verification");
        }
        channel.send(verificationContext, Dimse.echoRequest(messageId++), null, peerMaxPdu);
        return response(Dimse.C_ECHO_RSP);
    }

    private Dimse.Status response(int expected) throws IOException {
        DimseChannel.Incoming incoming = channel.receive();
        if (!(incoming instanceof DimseChannel.Message message)
                || message.command().uint16(Dimse.COMMAND_FIELD, -1) != expected) {
            throw new IOException("no " + Integer.toHexString(expected) + " response; got " + incoming);
        }
        return new Dimse.Status(message.command().uint16(Dimse.STATUS, -1),
                message.command().string(Dimse.ERROR_COMMENT));
    }

    /** Releases the association (waiting for the peer's answer) and closes. */
    @Override
    public void close() throws IOException {
        try {
            if (!socket.isClosed()) {
                channel.write(Pdu.releaseRequest());
                channel.receive();
            }
        } finally {
            socket.close();
        }
    }
}
