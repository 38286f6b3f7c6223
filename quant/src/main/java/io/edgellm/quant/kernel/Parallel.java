package io.edgellm.quant.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed pool of {@code N} threads for data-parallel loops: the calling thread is worker 0 and {@code N - 1} daemon
 * threads are workers 1..N-1. {@link #forRange(int, RangeTask)} splits {@code [0, n)} into {@code N} contiguous
 * chunks (worker {@code i} gets {@code [i*n/N, (i+1)*n/N)}), so the split, and therefore every result, depends only on
 * {@code n} and {@code N}, never on timing.
 *
 * <p>No allocation per call: the task and range are published through fields, the workers are woken by a generation
 * counter (spin briefly, then {@link LockSupport#park}), and the caller waits for a countdown the same way.
 * {@code forRange} calls are serialized (one loop at a time per pool); a call from inside a running task (nested
 * parallelism) runs the whole range on the calling thread.
 */
public final class Parallel implements AutoCloseable {

    /** Spin iterations before parking; short, because the machine may have fewer cores than threads. */
    private static final int SPINS = 2_000;

    private final int threads;
    private final Thread[] workers;          // index 0 unused (the caller)
    private final Object lock = new Object();

    // Published to workers by the volatile write of 'generation'.
    private RangeTask task;
    private int n;
    private volatile int generation;
    private volatile boolean closed;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Thread waiter;
    private volatile Throwable failure;
    private boolean running;                 // guarded by lock: a loop is in progress (nested calls run inline)

    private Parallel(int threads) {
        this.threads = threads;
        this.workers = new Thread[threads];
        for (int i = 1; i < threads; i++) {
            final int id = i;
            Thread t = new Thread(() -> workerLoop(id), "edgellm-parallel-" + id);
            t.setDaemon(true);
            workers[i] = t;
        }
        for (int i = 1; i < threads; i++) {
            workers[i].start();
        }
    }

    /**
     * Creates a pool.
     *
     * @param threads number of workers including the calling thread ({@code >= 1}); 1 runs everything on the caller
     * @return the pool; close it to stop its threads
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public static Parallel create(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        return new Parallel(threads);
    }

    /** Number of workers (including the calling thread). */
    public int threads() {
        return threads;
    }

    /**
     * Runs {@code task} over {@code [0, n)} split into {@link #threads()} contiguous chunks (empty chunks are skipped)
     * and returns when all chunks are done. An exception thrown by any chunk is rethrown here (after all chunks ended).
     *
     * @param n    range size ({@code >= 0})
     * @param task the work; it must be safe to run its chunks concurrently
     */
    public void forRange(int n, RangeTask task) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        if (n == 0) {
            return;
        }
        if (closed) {
            throw new IllegalStateException("Parallel pool is closed");
        }
        if (threads == 1 || n == 1 || isWorkerThread()) {   // serial, or nested inside a task on a pool thread
            task.run(0, n, 0);
            return;
        }
        synchronized (lock) {
            if (running) {                         // nested call from inside a task on the caller thread
                task.run(0, n, 0);
                return;
            }
            running = true;
            try {
                runParallel(n, task);
            } finally {
                running = false;
            }
        }
    }

    private void runParallel(int n, RangeTask task) {
        this.task = task;
        this.n = n;
        this.failure = null;
        this.waiter = Thread.currentThread();
        pending.set(threads - 1);
        generation = generation + 1;             // volatile write publishes task and n
        for (int i = 1; i < threads; i++) {
            LockSupport.unpark(workers[i]);
        }
        Throwable own = null;
        try {
            runChunk(0);
        } catch (Throwable t) {
            own = t;
        }
        boolean abandoned = awaitWorkers();
        this.task = null;
        this.waiter = null;
        if (abandoned) {
            IllegalStateException closedDuring =
                    new IllegalStateException("Parallel pool was closed while a loop was running");
            if (own != null) {
                closedDuring.addSuppressed(own);
            }
            throw closedDuring;
        }
        Throwable t = own != null ? own : failure;
        if (t != null) {
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new RuntimeException(t);
        }
    }

    /**
     * Waits until every other worker has counted its chunk down. An interrupt does not end the wait (the workers may
     * still be writing into the caller's buffers) and does not turn it into a spin: the flag is cleared while waiting
     * and restored afterwards. If the pool is closed meanwhile, workers that saw the close before their chunk never
     * count down, so the caller then joins every worker thread (each ends promptly once closed, after the chunk it may
     * be running) instead of waiting for the count.
     *
     * @return {@code true} if the pool was closed and some chunk was not run
     */
    private boolean awaitWorkers() {
        boolean interrupted = false;
        int spins = 0;
        try {
            while (pending.get() != 0) {
                if (closed) {
                    for (int i = 1; i < threads; i++) {
                        while (true) {
                            try {
                                workers[i].join();
                                break;
                            } catch (InterruptedException e) {
                                interrupted = true;
                            }
                        }
                    }
                    return pending.get() != 0;
                }
                if (spins < SPINS) {
                    spins++;
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                    if (Thread.interrupted()) {
                        interrupted = true;
                    }
                }
            }
            return false;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void runChunk(int worker) {
        int start = (int) ((long) worker * n / threads);
        int end = (int) ((long) (worker + 1) * n / threads);
        if (end > start) {
            task.run(start, end, worker);
        }
    }

    private void workerLoop(int id) {
        int seen = 0;
        while (true) {
            int spins = 0;
            int g;
            while ((g = generation) == seen && !closed) {
                if (spins < SPINS) {
                    spins++;
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                    Thread.interrupted();          // a stray interrupt must not turn the wait into a spin
                }
            }
            if (closed) {
                return;                            // the caller joins this thread and reports the close
            }
            seen = g;
            try {
                runChunk(id);
            } catch (Throwable t) {
                failure = t;
            }
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(waiter);
            }
        }
    }

    /**
     * Stops the worker threads (idempotent, callable from any thread). Further {@code forRange} calls throw
     * {@link IllegalStateException}. A loop running on another thread at that moment either completes (if every chunk
     * had started) or throws {@link IllegalStateException} once the workers have stopped; it never hangs.
     */
    @Override
    public void close() {
        closed = true;
        for (int i = 1; i < threads; i++) {
            LockSupport.unpark(workers[i]);
        }
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    private boolean isWorkerThread() {
        Thread me = Thread.currentThread();
        for (int i = 1; i < threads; i++) {
            if (workers[i] == me) {
                return true;
            }
        }
        return false;
    }
}
