import { Anchor } from "@mantine/core";
import { Link } from "react-router";

/** A ledger row's document, linked where the UI has a page for it. */
export function DocumentLink({ type, id, number }: { type: string; id: string; number: string }) {
  if (type === "inbound" || type === "outbound") {
    return (
      <Anchor component={Link} to={`/${type}s/${id}`}>
        {number}
      </Anchor>
    );
  }
  return <>{number}</>;
}
