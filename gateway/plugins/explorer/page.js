// The development explorer: GraphiQL from the project's own dependencies, talking to this gateway only.
// Nothing is kept in the browser (no saved headers, queries or tabs): a query may hold a candidate's data.
(function () {
  var memory = {};
  var storage = {
    getItem: function (key) { return Object.prototype.hasOwnProperty.call(memory, key) ? memory[key] : null; },
    setItem: function (key, value) { memory[key] = String(value); },
    removeItem: function (key) { delete memory[key]; },
    clear: function () { memory = {}; },
    get length() { return Object.keys(memory).length; },
  };
  var fetcher = GraphiQL.createFetcher({ url: new URL('/graphql', window.location.href).href });
  var headers = JSON.stringify(
    { Authorization: 'Bearer <paste a token: npm run --silent token -- --role candidate --sub <id>>', 'x-purpose': 'SERVICE_PROVISION' },
    null,
    2,
  );
  ReactDOM.createRoot(document.getElementById('explorer')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      storage: storage,
      defaultHeaders: headers,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: 'headers',
      defaultQuery: '# Fill in the Authorization and x-purpose headers below, then run:\n{\n  me {\n    id\n    fullName\n    email\n  }\n}\n',
    }),
  );
})();
