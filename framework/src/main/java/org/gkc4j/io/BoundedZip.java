package org.gkc4j.io;

import org.gkc4j.GkcException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Read-only access to the entries of a zip archive that never trusts a declared size: an entry is read only if its
 * size is known, fits one Java array and the caller's bound, and (stored entries) fits the file; exactly that many
 * bytes must come out. Nothing is extracted to disk.
 */
public final class BoundedZip implements AutoCloseable {
    /** The largest entry one array can hold. */
    public static final long MAX_ENTRY_BYTES = Integer.MAX_VALUE - 16;
    /** PyTorch stores entries uncompressed; a compressed one may expand at most this much. */
    private static final long MAX_COMPRESSION_RATIO = 1024;

    private final Path path;
    private final ZipFile zip;
    private final long fileSize;
    private final List<String> names;

    private BoundedZip(Path path, ZipFile zip, long fileSize, List<String> names) {
        this.path = path;
        this.zip = zip;
        this.fileSize = fileSize;
        this.names = names;
    }

    /** Opens a zip archive; {@code what} names the kind of file in errors ("PyTorch checkpoint"). */
    public static BoundedZip open(Path path, String what) {
        long size;
        try {
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            throw GkcException.of("weights file not found: %s", path);
        } catch (IOException e) {
            throw GkcException.of("cannot open %s: %s", path, e.getMessage());
        }
        ZipFile zf;
        try {
            zf = new ZipFile(path.toFile());
        } catch (ZipException e) {
            throw GkcException.of("damaged %s %s: not a readable zip archive (%s)", what, path, e.getMessage());
        } catch (IOException e) {
            throw GkcException.of("cannot open %s: %s", path, e.getMessage());
        }
        try {
            List<String> names = new ArrayList<>();
            zf.stream().forEach(e -> names.add(e.getName()));
            return new BoundedZip(path, zf, size, Collections.unmodifiableList(names));
        } catch (RuntimeException e) {
            closeQuietly(zf);
            throw GkcException.of("damaged %s %s: its zip directory cannot be read (%s)", what, path, e.getMessage());
        }
    }

    public Path path() {
        return path;
    }

    /** Entry names in directory order. */
    public List<String> names() {
        return names;
    }

    public boolean contains(String name) {
        return zip.getEntry(name) != null;
    }

    /** The declared uncompressed size of an entry, after checking it is plausible. */
    public long size(String name) {
        return checkedSize(entry(name), Long.MAX_VALUE);
    }

    /** Reads a whole entry of at most {@code maxBytes} bytes. */
    public byte[] read(String name, long maxBytes) {
        ZipEntry e = entry(name);
        int n = (int) checkedSize(e, maxBytes);
        try (InputStream in = zip.getInputStream(e)) {
            byte[] b = in.readNBytes(n);
            if (b.length != n) {
                throw GkcException.of("damaged zip archive %s: entry %s declares %d bytes but holds %d", path, name, n, b.length);
            }
            if (in.read() >= 0) {
                throw GkcException.of("damaged zip archive %s: entry %s holds more than the %d bytes it declares", path, name, n);
            }
            return b;
        } catch (IOException | RuntimeException ex) {
            if (ex instanceof GkcException g) {
                throw g;
            }
            throw GkcException.of("damaged zip archive %s: entry %s cannot be read (%s)", path, name, ex.getMessage());
        }
    }

    private ZipEntry entry(String name) {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw GkcException.of("damaged zip archive %s: entry %s is missing", path, name);
        }
        return e;
    }

    private long checkedSize(ZipEntry e, long maxBytes) {
        long n = e.getSize();
        if (n < 0) {
            throw GkcException.of("damaged zip archive %s: entry %s does not declare its size", path, e.getName());
        }
        long bound = Math.min(maxBytes, MAX_ENTRY_BYTES);
        if (e.getMethod() == ZipEntry.STORED && n > fileSize) {
            throw GkcException.of("damaged zip archive %s: entry %s declares %d bytes, more than the whole file's %d", path, e.getName(), n, fileSize);
        }
        if (e.getMethod() != ZipEntry.STORED && n > MAX_COMPRESSION_RATIO * Math.max(e.getCompressedSize(), 1)) {
            throw GkcException.of("damaged zip archive %s: entry %s declares %d bytes from %d compressed (a zip bomb, not a checkpoint)",
                    path, e.getName(), n, e.getCompressedSize());
        }
        if (n > bound) {
            throw GkcException.of("damaged zip archive %s: entry %s declares %d bytes, more than the %d allowed for it", path, e.getName(), n, bound);
        }
        return n;
    }

    @Override
    public void close() {
        closeQuietly(zip);
    }

    private static void closeQuietly(ZipFile zf) {
        try {
            zf.close();
        } catch (IOException ignored) {
            // nothing useful to do
        }
    }
}
