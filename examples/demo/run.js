console.log('demo: not yet built');
