import { lazy, useState } from "react";
import { createBrowserRouter, Outlet, RouterProvider, type RouteObject } from "react-router";
import { LoginPage } from "../features/auth/LoginPage";
import { AppLayout } from "./AppLayout";
import { AuthProvider, RequireAuth, RequireRole } from "./auth";
import { ErrorBoundary } from "./ErrorBoundary";
import { NotFoundPage } from "./NotFoundPage";
import { Providers, createQueryClient } from "./providers";

// Screens load on first visit, so the login page does not wait for charts and date pickers.
const AuditPage = lazy(() => import("../features/audit/AuditPage").then((m) => ({ default: m.AuditPage })));
const UsersPage = lazy(() => import("../features/users/UsersPage").then((m) => ({ default: m.UsersPage })));
const ApiKeysPage = lazy(() => import("../features/apiKeys/ApiKeysPage").then((m) => ({ default: m.ApiKeysPage })));
const ImportPage = lazy(() => import("../features/import/ImportPage").then((m) => ({ default: m.ImportPage })));
const AlertsPage = lazy(() => import("../features/alerts/AlertsPage").then((m) => ({ default: m.AlertsPage })));
const DashboardPage = lazy(() => import("../features/dashboard/DashboardPage").then((m) => ({ default: m.DashboardPage })));
const DocumentDetailPage = lazy(() => import("../features/documents/DocumentDetailPage").then((m) => ({ default: m.DocumentDetailPage })));
const DocumentFormPage = lazy(() => import("../features/documents/DocumentFormPage").then((m) => ({ default: m.DocumentFormPage })));
const DocumentListPage = lazy(() => import("../features/documents/DocumentListPage").then((m) => ({ default: m.DocumentListPage })));
const EnginesPage = lazy(() => import("../features/engines/EnginesPage").then((m) => ({ default: m.EnginesPage })));
const ItemDetailPage = lazy(() => import("../features/items/ItemDetailPage").then((m) => ({ default: m.ItemDetailPage })));
const ItemsPage = lazy(() => import("../features/items/ItemsPage").then((m) => ({ default: m.ItemsPage })));
const AdjustmentsPage = lazy(() => import("../features/stock/AdjustmentsPage").then((m) => ({ default: m.AdjustmentsPage })));
const LedgerPage = lazy(() => import("../features/stock/LedgerPage").then((m) => ({ default: m.LedgerPage })));
const StockAsOfPage = lazy(() => import("../features/stock/StockAsOfPage").then((m) => ({ default: m.StockAsOfPage })));
const StockPage = lazy(() => import("../features/stock/StockPage").then((m) => ({ default: m.StockPage })));
const StockDocumentPage = lazy(() => import("../features/stock/StockDocumentPage").then((m) => ({ default: m.StockDocumentPage })));
const TransfersPage = lazy(() => import("../features/stock/TransfersPage").then((m) => ({ default: m.TransfersPage })));

function Root() {
  return (
    <AuthProvider>
      <Outlet />
    </AuthProvider>
  );
}

export const routes: RouteObject[] = [
  {
    element: <Root />,
    children: [
      { path: "/login", element: <LoginPage /> },
      {
        element: <RequireAuth />,
        children: [
          {
            element: <AppLayout />,
            children: [
              { index: true, element: <DashboardPage /> },
              { path: "engines", element: <EnginesPage /> },
              { path: "items", element: <ItemsPage /> },
              { path: "items/:id", element: <ItemDetailPage /> },
              { path: "stock", element: <StockPage /> },
              { path: "stock/as-of", element: <StockAsOfPage /> },
              { path: "stock/moves", element: <LedgerPage /> },
              { path: "stock/adjustments", element: <AdjustmentsPage /> },
              { path: "stock/adjustments/:id", element: <StockDocumentPage kind="adjustment" /> },
              { path: "stock/transfers", element: <TransfersPage /> },
              { path: "stock/transfers/:id", element: <StockDocumentPage kind="transfer" /> },
              { path: "alerts", element: <AlertsPage /> },
              {
                element: <RequireRole role="manager" />,
                children: [
                  { path: "import", element: <ImportPage /> },
                  { path: "audit", element: <AuditPage /> },
                ],
              },
              {
                element: <RequireRole role="admin" />,
                children: [
                  { path: "users", element: <UsersPage /> },
                  { path: "api-keys", element: <ApiKeysPage /> },
                ],
              },
              { path: "inbounds", element: <DocumentListPage kind="inbound" /> },
              { path: "inbounds/new", element: <DocumentFormPage kind="inbound" /> },
              { path: "inbounds/:id", element: <DocumentDetailPage kind="inbound" /> },
              { path: "inbounds/:id/edit", element: <DocumentFormPage kind="inbound" /> },
              { path: "outbounds", element: <DocumentListPage kind="outbound" /> },
              { path: "outbounds/new", element: <DocumentFormPage kind="outbound" /> },
              { path: "outbounds/:id", element: <DocumentDetailPage kind="outbound" /> },
              { path: "outbounds/:id/edit", element: <DocumentFormPage kind="outbound" /> },
              { path: "*", element: <NotFoundPage /> },
            ],
          },
        ],
      },
    ],
  },
];

export function App() {
  const [queryClient] = useState(createQueryClient);
  const [router] = useState(() => createBrowserRouter(routes));
  return (
    <ErrorBoundary>
      <Providers queryClient={queryClient}>
        <RouterProvider router={router} />
      </Providers>
    </ErrorBoundary>
  );
}
