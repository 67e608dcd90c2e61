package org.hyphae.shell.internal;

import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.hyphae.identity.Identity;
import org.hyphae.node.AreaStatus;
import org.hyphae.node.Implementation;
import org.hyphae.node.NodeStatus;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/** {@code hyphae:id} and {@code hyphae:status}: who this node is and what it is made of. */
@Component(service = NodeCommands.class, property = {
        "osgi.command.scope=hyphae",
        "osgi.command.function=id",
        "osgi.command.function=status"})
public final class NodeCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Identity identity;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Host host;

    @Reference
    private NodeStatus status;

    @Descriptor("show this node's PeerId, listen addresses and which code verifies signatures")
    public String id() {
        Identity current = identity;
        if (current == null) {
            return "no identity: the identity bundle is not active (see hyphae:status)";
        }
        StringBuilder out = new StringBuilder();
        out.append("PeerID:    ").append(current.peerId()).append('\n');
        out.append("PeerID (CID): ").append(current.peerId().toCid()).append('\n');
        out.append("Signatures: ").append(current.signatureVerifier()).append('\n');
        Host currentHost = host;
        List<Multiaddr> addresses = currentHost == null ? List.of() : currentHost.listenAddresses();
        if (addresses.isEmpty()) {
            out.append("Addresses: none (no transport is listening)");
        } else {
            out.append("Addresses:");
            for (Multiaddr address : addresses) {
                out.append("\n  ").append(address.withPeerId(current.peerId()));
            }
        }
        return out.toString();
    }

    @Descriptor("show which implementation is active in each area, and which are installed but idle")
    public String status() {
        StringBuilder out = new StringBuilder();
        for (AreaStatus area : status.areas()) {
            out.append(String.format("%-10s ", area.area()));
            if (area.implementations().isEmpty()) {
                out.append("(none installed)\n");
                continue;
            }
            boolean first = true;
            for (Implementation implementation : area.implementations()) {
                if (!first) {
                    out.append(String.format("%-10s ", ""));
                }
                first = false;
                out.append(String.format("%-11s %s  [%s]", implementation.state(), implementation.name(),
                        implementation.bundle()));
                if (!implementation.detail().isEmpty()) {
                    out.append("  ").append(implementation.detail());
                }
                out.append('\n');
            }
        }
        return out.toString().stripTrailing();
    }
}
