package dev.logstream.core.tag;

import java.util.Objects;
import java.util.Optional;

/**
 * What the ingest side learned about the tag of an incoming event: either a valid grid tag (with
 * its parsed form) or a foreign tag, kept only as the raw string.
 *
 * <p>A foreign tag is not an error: events with any tag pass through and are counted (see
 * DESIGN.md, "Tag"). Instances come from {@link TagCodec#classify}, which caches them.
 *
 * @param raw the tag exactly as received
 * @param grid the parsed tag when {@code raw} is a valid grid tag for the codec's prefix, empty for
 *     a foreign tag
 */
public record IngestTag(String raw, Optional<GridTag> grid) {

  /**
   * Checks that a grid tag formats back to the raw string.
   *
   * @param raw the tag exactly as received
   * @param grid the parsed tag, or empty for a foreign tag
   * @throws IllegalArgumentException if {@code grid} is present and does not format to {@code raw}
   */
  public IngestTag {
    Objects.requireNonNull(raw, "raw");
    Objects.requireNonNull(grid, "grid");
    if (grid.isPresent() && !grid.get().format().equals(raw)) {
      throw new IllegalArgumentException(
          "grid tag '" + grid.get().format() + "' does not match raw tag '" + raw + "'");
    }
  }

  /**
   * Tells whether the tag is a valid grid tag.
   *
   * @return {@code true} when {@link #grid()} is present
   */
  public boolean isGrid() {
    return grid.isPresent();
  }
}
