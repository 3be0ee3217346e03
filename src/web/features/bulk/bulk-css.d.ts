/** The bulk feature's stylesheet, bundled by Vite (the app's main stylesheet is linked in index.html). */
declare module '#src/web/features/bulk/components/bulk.css';
