package io.divastream.images;

import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.spi.ServiceRegistry;

/**
 * JPEG readers from TwelveMonkeys, which decode what the JDK's reader cannot (CMYK and YCCK JPEGs, with their ICC
 * profiles or a standard CMYK profile) and delegate the rest to it. The provider is bound to the JDK's JPEG
 * reader in a registry of this class's own, not in ImageIO's global one: a job's class loader must not leave
 * providers behind in the JVM when the job ends.
 */
final class JpegReaders {

    private static final ImageReaderSpi PROVIDER = provider();

    private JpegReaders() {}

    /**
     * A new reader; the caller disposes of it.
     *
     * @return the reader
     * @throws IOException if the provider cannot create one
     */
    static ImageReader newReader() throws IOException {
        return PROVIDER.createReaderInstance(null);
    }

    private static ImageReaderSpi provider() {
        ServiceRegistry own =
                new ServiceRegistry(List.<Class<?>>of(ImageReaderSpi.class).iterator());
        Iterator<ImageReaderSpi> builtIn = IIORegistry.getDefaultInstance()
                .getServiceProviders(
                        ImageReaderSpi.class,
                        spi -> spi.getClass().getName().equals("com.sun.imageio.plugins.jpeg.JPEGImageReaderSpi"),
                        false);
        if (!builtIn.hasNext()) {
            throw new IllegalStateException("the JDK's JPEG reader is missing");
        }
        own.registerServiceProvider(builtIn.next(), ImageReaderSpi.class);
        JPEGImageReaderSpi twelveMonkeys = new JPEGImageReaderSpi();
        own.registerServiceProvider(twelveMonkeys, ImageReaderSpi.class);
        if (!own.contains(twelveMonkeys)) {
            throw new IllegalStateException("TwelveMonkeys' JPEG reader found no delegate");
        }
        return twelveMonkeys;
    }
}
