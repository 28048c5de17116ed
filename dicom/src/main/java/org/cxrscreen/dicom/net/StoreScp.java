package org.cxrscreen.dicom.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.cxrscreen.dicom.DicomObject;
import org.cxrscreen.dicom.SopClass;
import org.cxrscreen.dicom.TransferSyntax;
import org.cxrscreen.dicom.net.Association.ContextResult;
import org.cxrscreen.dicom.net.Association.ProposedContext;

/**
 * A C-STORE and C-ECHO service class provider (PS3.4, PS3.7, PS3.8) on a TCP port: it negotiates the
 * accepted storage SOP classes and Verification with the transfer syntaxes the decoder handles
 * (explicit and implicit VR little endian, JPEG baseline; the peer's preferred one), answers every C-STORE with the status its
 * handler gives, and keeps each association in its own thread, bounded in number, in PDU size, in data
 * set size and in idle time. A peer that stalls, sends garbage or announces a PDU too large is
 * aborted; other associations go on. Nothing of a data set is logged.
 */
public final class StoreScp implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(StoreScp.class.getName());

    /**
     * How the SCP runs.
     *
     * @param port TCP port (0: any free port)
     * @param aeTitle the called AE title peers must use
     * @param allowedCallingAes calling AE titles accepted; empty: any
     * @param maxAssociations associations at once; more are rejected (transient)
     * @param maxPduLength longest PDU this side receives (announced to peers)
     * @param maxDatasetBytes longest data set kept; longer ones are refused with out-of-resources
     * @param requestTimeout time for a connection to send its association request
     * @param idleTimeout time a peer may stay silent within an association
     */
    public record Config(int port, String aeTitle, Set<String> allowedCallingAes, int maxAssociations,
            int maxPduLength, long maxDatasetBytes, Duration requestTimeout, Duration idleTimeout) {
    }

    /** One received C-STORE. */
    public record StoreRequest(String callingAe, String sopClassUid, String sopInstanceUid, String transferSyntaxUid,
            byte[] dataset) {
    }

    /** Decides each C-STORE's status; must not throw. */
    @FunctionalInterface
    public interface Handler {
        Dimse.Status store(StoreRequest request);
    }

    /** Association-level events, for metrics. */
    public interface Listener {
        default void rejected(String reason) {
        }

        default void contextRefused(String abstractSyntax, int result) {
        }

        default void aborted(String reason) {
        }
    }

    private final Config config;
    private final Handler handler;
    private final Listener listener;
    private final ServerSocket server;
    private final ExecutorService workers;
    private final Semaphore slots;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong associations = new AtomicLong();
    private final Thread acceptor;
    private volatile boolean closed;

    private StoreScp(Config config, Handler handler, Listener listener) throws IOException {
        this.config = config;
        this.handler = handler;
        this.listener = listener;
        this.server = new ServerSocket(config.port(), 50, InetAddress.getByName("0.0.0.0"));
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "dicom-association-" + associations.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.slots = new Semaphore(config.maxAssociations());
        this.acceptor = new Thread(this::acceptLoop, "dicom-scp-accept");
        this.acceptor.setDaemon(true);
    }

    public static StoreScp start(Config config, Handler handler, Listener listener) throws IOException {
        StoreScp scp = new StoreScp(config, handler, listener);
        scp.acceptor.start();
        return scp;
    }

    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                open.add(socket);
                if (!slots.tryAcquire()) {
                    workers.execute(() -> refuseBusy(socket));
                    continue;
                }
                workers.execute(() -> {
                    try {
                        serve(socket);
                    } finally {
                        slots.release();
                        closeQuietly(socket);
                    }
                });
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "accepting a DICOM connection failed: " + e.getMessage());
                }
            }
        }
    }

    private void refuseBusy(Socket socket) {
        try {
            socket.setSoTimeout((int) config.requestTimeout().toMillis());
            DimseChannel channel = new DimseChannel(socket, config.maxPduLength() + 1024L, 0);
            channel.readPdu();
            channel.write(Pdu.reject(2, 3, 2));
            listener.rejected("too many associations");
        } catch (IOException ignored) {
            // the peer is gone anyway
        } finally {
            closeQuietly(socket);
        }
    }

    private void serve(Socket socket) {
        DimseChannel channel = null;
        try {
            socket.setSoTimeout((int) config.requestTimeout().toMillis());
            socket.setTcpNoDelay(true);
            channel = new DimseChannel(socket, 64 * 1024, config.maxDatasetBytes());
            Pdu first = channel.readPdu();
            if (first == null) {
                return;
            }
            if (first.type() != Pdu.ASSOCIATE_RQ) {
                channel.write(Pdu.abort(2));
                listener.aborted("the first PDU was not an association request");
                return;
            }
            Association.Request request = Association.Request.parse(first.body());
            Map<Integer, String> accepted = negotiate(channel, request);
            if (accepted == null) {
                return;
            }
            channel.maxReceivePdu(config.maxPduLength() + 6L);
            socket.setSoTimeout((int) config.idleTimeout().toMillis());
            converse(channel, request, accepted);
        } catch (SocketTimeoutException e) {
            abort(channel, "the peer was silent for too long");
        } catch (Pdu.TooLongException e) {
            abort(channel, e.getMessage());
        } catch (IllegalArgumentException | IOException e) {
            if (!closed && !(e instanceof SocketException)) {
                abort(channel, "protocol error: " + e.getMessage());
            }
        } catch (RuntimeException e) {
            abort(channel, "malformed message: " + e.getMessage());
        }
    }

    /** Answers the association request; returns the accepted contexts' transfer syntaxes, or null if rejected. */
    private Map<Integer, String> negotiate(DimseChannel channel, Association.Request request) throws IOException {
        if ((request.protocolVersion() & 1) == 0) {
            channel.write(Pdu.reject(1, 2, 2));
            listener.rejected("protocol version not supported");
            return null;
        }
        if (!request.calledAe().equals(config.aeTitle())) {
            channel.write(Pdu.reject(1, 1, 7));
            listener.rejected("called AE title not recognised");
            return null;
        }
        if (!config.allowedCallingAes().isEmpty() && !config.allowedCallingAes().contains(request.callingAe())) {
            channel.write(Pdu.reject(1, 1, 3));
            listener.rejected("calling AE title not allowed");
            return null;
        }
        List<ContextResult> results = new ArrayList<>();
        Map<Integer, String> accepted = new HashMap<>();
        for (ProposedContext c : request.contexts()) {
            boolean verification = SopClass.VERIFICATION.equals(c.abstractSyntax());
            if (!verification && SopClass.of(c.abstractSyntax()) == null) {
                results.add(new ContextResult(c.id(), ContextResult.ABSTRACT_SYNTAX_NOT_SUPPORTED, null));
                listener.contextRefused(c.abstractSyntax(), ContextResult.ABSTRACT_SYNTAX_NOT_SUPPORTED);
                continue;
            }
            String chosen = choose(c.transferSyntaxes(), verification);
            if (chosen == null) {
                results.add(new ContextResult(c.id(), ContextResult.TRANSFER_SYNTAXES_NOT_SUPPORTED, null));
                listener.contextRefused(c.abstractSyntax(), ContextResult.TRANSFER_SYNTAXES_NOT_SUPPORTED);
                continue;
            }
            results.add(new ContextResult(c.id(), ContextResult.ACCEPTED, chosen));
            accepted.put(c.id(), chosen);
        }
        channel.write(new Association.Accept(request.calledAe(), request.callingAe(), results,
                config.maxPduLength()).encode());
        return accepted;
    }

    /**
     * The first of the peer's transfer syntaxes (in its order of preference) that the decoder handles:
     * the peer lists its objects' own encoding first, so it need not transcode.
     */
    private static String choose(List<String> offered, boolean verification) {
        for (String uid : offered) {
            TransferSyntax ts = TransferSyntax.of(uid);
            if (ts != null && !(verification && ts.encapsulated())) {
                return uid;
            }
        }
        return null;
    }

    private void converse(DimseChannel channel, Association.Request request, Map<Integer, String> accepted)
            throws IOException {
        while (true) {
            DimseChannel.Incoming incoming = channel.receive();
            if (incoming == null || incoming instanceof DimseChannel.Aborted) {
                return;
            }
            if (incoming instanceof DimseChannel.ReleaseRequested) {
                channel.write(Pdu.releaseResponse());
                return;
            }
            if (!(incoming instanceof DimseChannel.Message message)) {
                abort(channel, "unexpected PDU in an association");
                return;
            }
            String syntax = accepted.get(message.contextId());
            if (syntax == null) {
                abort(channel, "a message on presentation context " + message.contextId() + ", which was not accepted");
                return;
            }
            DicomObject command = message.command();
            int field = command.uint16(Dimse.COMMAND_FIELD, -1);
            if (field == Dimse.C_ECHO_RQ) {
                channel.send(message.contextId(), Dimse.echoResponse(command), null, request.maxPduLength());
            } else if (field == Dimse.C_STORE_RQ) {
                Dimse.Status status;
                if (message.dataset() == null) {
                    status = Dimse.Status.outOfResources("data set of " + message.datasetLength()
                            + " bytes exceeds the limit of " + config.maxDatasetBytes());
                } else {
                    status = store(new StoreRequest(request.callingAe(), command.string(Dimse.AFFECTED_SOP_CLASS_UID),
                            command.string(Dimse.AFFECTED_SOP_INSTANCE_UID), syntax, message.dataset()));
                }
                channel.send(message.contextId(), Dimse.storeResponse(command, status), null, request.maxPduLength());
            } else {
                abort(channel, "unsupported DIMSE command 0x" + Integer.toHexString(field));
                return;
            }
        }
    }

    private Dimse.Status store(StoreRequest request) {
        try {
            return handler.store(request);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the store handler failed: " + e.getClass().getSimpleName());
            return Dimse.Status.cannotUnderstand("processing failed");
        }
    }

    private void abort(DimseChannel channel, String reason) {
        listener.aborted(reason);
        if (channel != null) {
            try {
                channel.write(Pdu.abort(0));
            } catch (IOException ignored) {
                // the peer may be gone
            }
            channel.close();
        }
    }

    private void closeQuietly(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        open.forEach(this::closeQuietly);
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
