import { Anchor } from "@mantine/core";
import { Link } from "react-router";

/** Where each kind of document a stock move names has its page. */
const DOCUMENT_PATHS: Record<string, string> = {
  inbound: "/inbounds",
  outbound: "/outbounds",
  adjustment: "/stock/adjustments",
  transfer: "/stock/transfers",
};

/** A stock move's document as a link to its page; plain text for a kind the UI has no page for. */
export function DocumentLink({ type, id, number }: { type: string; id: string; number: string }) {
  const base = Object.hasOwn(DOCUMENT_PATHS, type) ? DOCUMENT_PATHS[type] : null;
  if (!base) return <>{number}</>;
  return (
    <Anchor component={Link} to={`${base}/${id}`} style={{ whiteSpace: "nowrap" }}>
      {number}
    </Anchor>
  );
}
