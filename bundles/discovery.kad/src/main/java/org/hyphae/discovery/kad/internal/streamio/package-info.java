/**
 * Reading length-prefixed messages from an API {@link org.hyphae.transport.Stream} without
 * blocking. A private copy of the host bundle's {@code org.hyphae.host.internal.streamio}
 * (StreamReader, AsyncLoop and their exceptions, commit f8be8ab): the code is generic, and once it
 * moves to a shared place every protocol bundle should take it from there.
 */
package org.hyphae.discovery.kad.internal.streamio;
