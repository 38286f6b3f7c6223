package io.edgellm.server;

import io.edgellm.Model;
import io.edgellm.Session;
import io.edgellm.SessionOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A fixed set of {@link Session}s ({@code -np N}), each serving one request at a time. A request takes a free
 * session, or waits in arrival order until one is returned; the lease's {@link Lease#close()} resets the session's
 * KV cache and returns it, whatever happened during the request (error, cancel, client gone).
 *
 * <p>Thread-safe.
 */
final class SessionPool implements AutoCloseable {
    private final List<Session> all = new ArrayList<>();
    private final BlockingQueue<Session> free;

    SessionPool(Model model, SessionOptions options, int size) {
        if (size < 1) throw new IllegalArgumentException("the number of sessions (-np) must be >= 1, got " + size);
        free = new ArrayBlockingQueue<>(size, true);
        try {
            for (int i = 0; i < size; i++) {
                Session s = model.newSession(options);
                all.add(s);
                free.add(s);
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** The context size of every session, tokens. */
    int contextLength() {
        return all.getFirst().contextLength();
    }

    int size() {
        return all.size();
    }

    int idle() {
        return free.size();
    }

    /** Waits for a free session. */
    Lease acquire() throws InterruptedException {
        Session s = free.take();
        s.reset();
        return new Lease(s);
    }

    /** A session lent to one request. */
    final class Lease implements AutoCloseable {
        private Session session;

        private Lease(Session session) {
            this.session = session;
        }

        Session session() {
            return session;
        }

        @Override
        public void close() {
            Session s = session;
            if (s != null) {
                session = null;
                s.reset();
                free.add(s);
            }
        }
    }

    @Override
    public void close() {
        for (Session s : all) s.close();
    }
}
