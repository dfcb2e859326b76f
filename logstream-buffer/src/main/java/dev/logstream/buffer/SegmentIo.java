package dev.logstream.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Every disk operation the buffer performs, behind one small seam so tests can inject the faults a
 * real disk produces: a failed {@code fsync}, no space while allocating, short writes.
 */
interface SegmentIo {
  /** The real file system. */
  SegmentIo SYSTEM = new SegmentIo() {};

  /** Opens (creating if needed) a file for reading and writing. */
  default FileChannel openReadWrite(Path path) throws IOException {
    return FileChannel.open(
        path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  /** Writes some bytes of {@code src} at {@code position}; may write fewer than remain. */
  default int write(FileChannel channel, ByteBuffer src, long position) throws IOException {
    return channel.write(src, position);
  }

  /** Maps {@code size} bytes of the file for reading and writing. */
  default MappedByteBuffer map(FileChannel channel, int size) throws IOException {
    return channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
  }

  /** Forces a region of a mapping to the device. */
  default void force(MappedByteBuffer map, int offset, int length) throws IOException {
    try {
      map.force(offset, length);
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Forces a channel's content and metadata to the device. */
  default void force(FileChannel channel) throws IOException {
    channel.force(true);
  }

  /** Renames atomically, replacing the target. */
  default void move(Path source, Path target) throws IOException {
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Deletes a file if it exists. */
  default void delete(Path path) throws IOException {
    Files.deleteIfExists(path);
  }

  /** Makes a directory's entries (created, renamed, deleted files) durable. */
  default void forceDirectory(Path directory) throws IOException {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    }
  }

  /** Writes all of {@code src} at {@code position}, looping over short writes. */
  static void writeFully(SegmentIo io, FileChannel channel, ByteBuffer src, long position)
      throws IOException {
    long at = position;
    while (src.hasRemaining()) {
      int n = io.write(channel, src, at);
      if (n < 0) {
        throw new IOException("write returned " + n);
      }
      at += n;
    }
  }
}
